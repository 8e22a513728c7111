// The agent decision tree as plain data, and a pure function that walks it. Three questions in
// order: should this be an agent at all (or a script)? which trigger wakes it? one agent or
// several? The page's diagram is generated from the same data (`decisionTreeMermaid`).
import type { TriggerKind } from './triggers.ts';

/** A question: each answer leads to another node, and may settle the trigger. */
export interface DecisionQuestion {
  readonly kind: 'question';
  readonly text: string;
  readonly answers: Readonly<Record<string, { readonly label: string; readonly next: string; readonly trigger?: TriggerKind }>>;
}

/** An end of the tree: what to build. */
export interface DecisionLeaf {
  readonly kind: 'leaf';
  readonly verdict: 'script' | 'no-agent-on-a-timer' | 'one-agent' | 'several-agents' | 'orchestrated-agents';
  readonly text: string;
}

export interface DecisionTree {
  readonly start: string;
  readonly nodes: Readonly<Record<string, DecisionQuestion | DecisionLeaf>>;
}

/** Should this be an agent, which trigger wakes it, and one agent or several. */
export const AGENT_DECISION_TREE: DecisionTree = {
  start: 'judgement',
  nodes: {
    judgement: {
      kind: 'question',
      text: 'Does the work need judgement over open-ended input (language, code, images)?',
      answers: {
        no: { label: 'no: fixed rules decide it', next: 'script' },
        yes: { label: 'yes', next: 'trigger' },
      },
    },
    script: { kind: 'leaf', verdict: 'script', text: 'Write a script or a pipeline step: deterministic, cheaper, testable. No agent.' },
    trigger: {
      kind: 'question',
      text: 'What starts the work?',
      answers: {
        'outside-event': { label: 'an event in another system', next: 'scope', trigger: 'webhook' },
        automation: { label: 'a pipeline or automation', next: 'scope', trigger: 'api-call' },
        person: { label: 'a person asks', next: 'scope', trigger: 'chat-message' },
        time: { label: 'time passing', next: 'aggregation' },
      },
    },
    aggregation: {
      kind: 'question',
      text: 'Is it aggregation over a period (a daily digest, a weekly report)?',
      answers: {
        no: { label: 'no: looking for changes', next: 'no-polling' },
        yes: { label: 'yes', next: 'scope', trigger: 'schedule' },
      },
    },
    'no-polling': {
      kind: 'leaf',
      verdict: 'no-agent-on-a-timer',
      text: 'Do not wake an agent on a timer to look for work: have the source send webhooks, or let a small adapter poll and emit events.',
    },
    scope: {
      kind: 'question',
      text: 'Is it one focused job: one prompt, one tool set, one owner?',
      answers: {
        yes: { label: 'yes', next: 'one-agent' },
        no: { label: 'no', next: 'coordination' },
      },
    },
    'one-agent': { kind: 'leaf', verdict: 'one-agent', text: 'One focused agent, woken by its trigger through the inbox.' },
    coordination: {
      kind: 'question',
      text: "Must the parts run in an order that depends on each other's results at run time?",
      answers: {
        no: { label: 'no', next: 'several-agents' },
        yes: { label: 'yes', next: 'orchestrated' },
      },
    },
    'several-agents': {
      kind: 'leaf',
      verdict: 'several-agents',
      text: 'Several focused agents, each woken by its own event or by shared state; no orchestrator.',
    },
    orchestrated: {
      kind: 'leaf',
      verdict: 'orchestrated-agents',
      text: 'Focused agents plus an orchestrator that coordinates them: the last resort, only for this case.',
    },
  },
};

/** The end a walk reached, the trigger it settled (none for the leaves before a trigger), and the way there. */
export interface Decision {
  readonly leaf: string;
  readonly verdict: DecisionLeaf['verdict'];
  readonly text: string;
  readonly trigger: TriggerKind | undefined;
  readonly path: readonly { readonly question: string; readonly answer: string }[];
}

/** The walk needs an answer to a question it was not given, or was given one the question does not have. */
export class DecisionAnswerMissing extends Error {
  override readonly name = 'DecisionAnswerMissing';
  constructor(
    readonly question: string,
    readonly received: string | undefined,
    readonly expected: readonly string[],
  ) {
    super(
      `The decision tree asks "${question}" and ${received === undefined ? 'no answer was given' : `"${received}" is not one of its answers`}: ` +
        `answer one of ${expected.map((answer) => `"${answer}"`).join(', ')}.`,
    );
  }
}

/** The tree's data is not a tree: a dangling link, a cycle, or a node no walk reaches. */
export class DecisionTreeInvalid extends Error {
  override readonly name = 'DecisionTreeInvalid';
}

/**
 * Walks `tree` from its start, taking `answers[questionId]` at each question, until a leaf.
 * Pure: the same answers give the same decision. Answers to questions the walk does not pass
 * are ignored. Throws `DecisionAnswerMissing` when a question on the way has no valid answer.
 */
export function walkDecisionTree(tree: DecisionTree, answers: Readonly<Record<string, string>>): Decision {
  const path: { question: string; answer: string }[] = [];
  let trigger: TriggerKind | undefined;
  let id = tree.start;
  for (let steps = 0; steps <= Object.keys(tree.nodes).length; steps++) {
    const node = nodeOf(tree, id);
    if (node.kind === 'leaf') return { leaf: id, verdict: node.verdict, text: node.text, trigger, path };
    const answer = Object.hasOwn(answers, id) ? answers[id] : undefined;
    const choice = answer !== undefined && Object.hasOwn(node.answers, answer) ? node.answers[answer] : undefined;
    if (choice === undefined || answer === undefined) throw new DecisionAnswerMissing(id, answer, Object.keys(node.answers));
    path.push({ question: id, answer });
    trigger = choice.trigger ?? trigger;
    id = choice.next;
  }
  throw new DecisionTreeInvalid(`The decision tree has a cycle through "${id}".`);
}

/**
 * Every walk from the start to a leaf, each as the answers that take it: what the tests run,
 * and the proof that every node is reachable and every walk ends. Throws `DecisionTreeInvalid`
 * for a dangling link, a cycle, or a node no walk reaches.
 */
export function decisionPaths(tree: DecisionTree): readonly Readonly<Record<string, string>>[] {
  const paths: Record<string, string>[] = [];
  const reached = new Set<string>();
  const visit = (id: string, answers: Record<string, string>, onPath: ReadonlySet<string>): void => {
    const node = nodeOf(tree, id);
    if (onPath.has(id)) throw new DecisionTreeInvalid(`The decision tree has a cycle through "${id}".`);
    reached.add(id);
    if (node.kind === 'leaf') {
      paths.push(answers);
      return;
    }
    for (const [answer, choice] of Object.entries(node.answers)) visit(choice.next, { ...answers, [id]: answer }, new Set([...onPath, id]));
  };
  visit(tree.start, {}, new Set());
  const unreached = Object.keys(tree.nodes).filter((id) => !reached.has(id));
  if (unreached.length > 0) throw new DecisionTreeInvalid(`No walk of the decision tree reaches ${unreached.map((id) => `"${id}"`).join(', ')}.`);
  return paths;
}

function nodeOf(tree: DecisionTree, id: string): DecisionQuestion | DecisionLeaf {
  const node = Object.hasOwn(tree.nodes, id) ? tree.nodes[id] : undefined;
  if (node === undefined) throw new DecisionTreeInvalid(`The decision tree links to "${id}", which is not one of its nodes.`);
  return node;
}

/**
 * The tree as a Mermaid flowchart: questions as diamonds, leaves as boxes, answers on the
 * arrows (with the trigger an answer settles), labels wrapped to lines of 32 characters. Without an argument it draws `AGENT_DECISION_TREE`, which is how the Factor III page
 * generates its diagram (the doc checks call it and compare the page's block with the result).
 */
export function decisionTreeMermaid(tree: DecisionTree = AGENT_DECISION_TREE): string {
  decisionPaths(tree);
  const nodeId = (id: string): string => id.replace(/[^A-Za-z0-9]/g, '_');
  const label = (text: string): string => `"${wrapLabel(text).replace(/"/g, '#quot;')}"`;
  const lines = ['flowchart TD'];
  for (const [id, node] of Object.entries(tree.nodes)) {
    lines.push(node.kind === 'question' ? `  ${nodeId(id)}{${label(node.text)}}` : `  ${nodeId(id)}[${label(node.text)}]`);
  }
  for (const [id, node] of Object.entries(tree.nodes)) {
    if (node.kind !== 'question') continue;
    for (const choice of Object.values(node.answers)) {
      const text = choice.trigger === undefined ? choice.label : `${choice.label}: ${choice.trigger}`;
      lines.push(`  ${nodeId(id)} -->|${label(text)}| ${nodeId(choice.next)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// Mermaid sizes a node to its longest line: unwrapped sentences make a diagram wider than a page.
const LABEL_LINE_CHARS = 32;

function wrapLabel(text: string): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= LABEL_LINE_CHARS) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.join('<br/>');
}
