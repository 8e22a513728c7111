import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_DECISION_TREE, DecisionAnswerMissing, DecisionTreeInvalid, decisionPaths, decisionTreeMermaid, walkDecisionTree } from '../src/index.ts';
import type { DecisionTree } from '../src/index.ts';

const walk = (answers: Record<string, string>) => walkDecisionTree(AGENT_DECISION_TREE, answers);

describe('the agent decision tree, leaf by leaf', () => {
  it('sends work that fixed rules decide to a script', () => {
    expect(walk({ judgement: 'no' })).toEqual({
      leaf: 'script',
      verdict: 'script',
      text: 'Write a script or a pipeline step: deterministic, cheaper, testable. No agent.',
      trigger: undefined,
      path: [{ question: 'judgement', answer: 'no' }],
    });
  });

  it('refuses to wake an agent on a timer to look for changes', () => {
    expect(walk({ judgement: 'yes', trigger: 'time', aggregation: 'no' })).toMatchObject({ leaf: 'no-polling', verdict: 'no-agent-on-a-timer', trigger: undefined });
  });

  it.each([
    ['outside-event', {}, 'webhook'],
    ['automation', {}, 'api-call'],
    ['person', {}, 'chat-message'],
    ['time', { aggregation: 'yes' }, 'schedule'],
  ] as const)('gives one focused agent for one job started by %s, with the %s trigger', (start, more, trigger) => {
    const decision = walk({ judgement: 'yes', trigger: start, ...more, scope: 'yes' });
    expect(decision).toMatchObject({ leaf: 'one-agent', verdict: 'one-agent', trigger });
    expect(decision.path.map((step) => step.question)).toEqual(['judgement', 'trigger', ...Object.keys(more), 'scope']);
  });

  it('splits independent parts into several focused agents, with no orchestrator', () => {
    expect(walk({ judgement: 'yes', trigger: 'outside-event', scope: 'no', coordination: 'no' })).toMatchObject({
      leaf: 'several-agents',
      verdict: 'several-agents',
      trigger: 'webhook',
      text: 'Several focused agents, each woken by its own event or by shared state; no orchestrator.',
    });
  });

  it('adds an orchestrator only when the order of the parts depends on their results', () => {
    expect(walk({ judgement: 'yes', trigger: 'person', scope: 'no', coordination: 'yes' })).toMatchObject({
      leaf: 'orchestrated',
      verdict: 'orchestrated-agents',
      trigger: 'chat-message',
    });
  });
});

describe('walking the tree', () => {
  it('names the question and its answers when an answer is missing or unknown', () => {
    expect(() => walk({})).toThrow(new DecisionAnswerMissing('judgement', undefined, ['no', 'yes']));
    expect(() => walk({})).toThrow('The decision tree asks "judgement" and no answer was given: answer one of "no", "yes".');
    expect(() => walk({ judgement: 'yes', trigger: 'cron' })).toThrow(
      'The decision tree asks "trigger" and "cron" is not one of its answers: answer one of "outside-event", "automation", "person", "time".',
    );
    expect(() => walk({ judgement: 'toString' })).toThrow(DecisionAnswerMissing);
  });

  it('reaches every leaf, and every walk ends at a leaf whatever other answers are given', () => {
    const paths = decisionPaths(AGENT_DECISION_TREE);
    expect(paths).toHaveLength(14);
    const leaves = new Set(paths.map((answers) => walk(answers).leaf));
    const declared = Object.entries(AGENT_DECISION_TREE.nodes).filter(([, node]) => node.kind === 'leaf').map(([id]) => id);
    expect([...leaves].sort()).toEqual(declared.sort());
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.dictionary(fc.string(), fc.string()), (answers, noise) => {
        const decision = walkDecisionTree(AGENT_DECISION_TREE, { ...noise, ...answers });
        expect(decision).toEqual(walk(answers));
        expect(Object.fromEntries(decision.path.map((step) => [step.question, step.answer]))).toEqual(answers);
      }),
    );
  });

  it('refuses tree data with a dangling link, a cycle or an unreachable node', () => {
    const leaf = { kind: 'leaf', verdict: 'script', text: 'done' } as const;
    const ask = (next: string) => ({ kind: 'question', text: 'q?', answers: { a: { label: 'a', next } } }) as const;
    const cases: [DecisionTree, string][] = [
      [{ start: 'q', nodes: { q: ask('nowhere') } }, 'The decision tree links to "nowhere", which is not one of its nodes.'],
      [{ start: 'q', nodes: { q: ask('r'), r: ask('q') } }, 'The decision tree has a cycle through "q".'],
      [{ start: 'q', nodes: { q: ask('end'), end: leaf, orphan: leaf } }, 'No walk of the decision tree reaches "orphan".'],
    ];
    for (const [tree, message] of cases) {
      expect(() => decisionPaths(tree)).toThrow(new DecisionTreeInvalid(message));
    }
    const cycle: DecisionTree = { start: 'q', nodes: { q: ask('r'), r: ask('q') } };
    expect(() => walkDecisionTree(cycle, { q: 'a', r: 'a' })).toThrow('The decision tree has a cycle through');
  });
});

describe('the Mermaid diagram', () => {
  it('has every question as a diamond, every leaf as a box and every answer as a labelled arrow, wrapped to lines of 32 characters', () => {
    const diagram = decisionTreeMermaid(AGENT_DECISION_TREE);
    const lines = diagram.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines).toContain('  judgement{"Does the work need judgement<br/>over open-ended input (language,<br/>code, images)?"}');
    expect(lines).toContain('  no_polling["Do not wake an agent on a timer<br/>to look for work: have the<br/>source send webhooks, or let a<br/>small adapter poll and emit<br/>events."]');
    expect(lines).toContain('  trigger -->|"an event in another system:<br/>webhook"| scope');
    expect(lines).toContain('  aggregation -->|"yes: schedule"| scope');
    expect(lines).toContain('  coordination -->|"yes"| orchestrated');
    const nodes = Object.keys(AGENT_DECISION_TREE.nodes).length;
    const answers = Object.values(AGENT_DECISION_TREE.nodes).reduce((sum, node) => sum + (node.kind === 'question' ? Object.keys(node.answers).length : 0), 0);
    expect(lines).toHaveLength(1 + nodes + answers);
    expect(decisionTreeMermaid(AGENT_DECISION_TREE)).toBe(diagram);
    const labels = [...diagram.matchAll(/"([^"]*)"/g)].flatMap((match) => (match[1] ?? '').split('<br/>'));
    expect(labels.filter((line) => line.length > 32)).toEqual([]);
    expect(labels.join(' ')).toContain('Does the work need judgement over open-ended input (language, code, images)?');
  });

  // The Factor III page's diagram is generated by calling the export with no arguments.
  it('draws the agent decision tree when called without a tree, as the page generates it', () => {
    expect(decisionTreeMermaid()).toBe(decisionTreeMermaid(AGENT_DECISION_TREE));
    const single: DecisionTree = { start: 'only', nodes: { only: { kind: 'leaf', verdict: 'script', text: 'A script.' } } };
    expect(decisionTreeMermaid(single)).toBe('flowchart TD\n  only["A script."]\n');
  });
});
