import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '@12-factor-agentops/core';
import { ResourceFileInvalid, loadAgent } from '@12-factor-agentops/deployment-profiles';
import { loadFocusedAgent, routeEvent, routesFromAgents } from '../src/index.ts';

const EXAMPLE = readFileSync(new URL('../examples/agent.yaml', import.meta.url), 'utf8');
const DEPLOYMENT_EXAMPLE = readFileSync(new URL('../../deployment-profiles/examples/agent.yaml', import.meta.url), 'utf8');

function problems(text: string): string[] {
  try {
    loadFocusedAgent(text, 'agent.yaml');
  } catch (error) {
    if (!(error instanceof ResourceFileInvalid)) throw error;
    return error.issues.map((issue) => `${issue.line}: ${issue.path}: ${issue.message}`);
  }
  throw new Error('the agent was accepted');
}

describe('the Agent resource of a focused agent', () => {
  it('loads the example with its trigger, model configuration, prompt, tools and budget', () => {
    const agent = loadFocusedAgent(EXAMPLE, 'examples/agent.yaml');
    expect(agent).toMatchObject({
      name: 'triage-agent',
      namespace: 'agents',
      description: 'Labels and routes newly opened issues; it never closes or edits them.',
      triggers: [{ kind: 'webhook', source: 'github', eventTypes: ['issues.opened', 'issues.reopened'] }],
      modelConfigRef: 'small-fast-model',
      systemPrompt: { configMap: 'triage-agent-prompts', key: 'system.md' },
      allowedTools: ['issue-read', 'issue-label'],
      budgetRef: 'triage-agent-daily',
    });
  });

  it('is the same kind the deployment profiles check a deployment against', () => {
    expect(loadAgent(EXAMPLE, 'examples/agent.yaml').spec.taskKinds).toEqual(['classify']);
  });

  it('refuses an Agent without the Factor III fields, naming each with its line', () => {
    expect(loadAgent(DEPLOYMENT_EXAMPLE, 'agent.yaml').metadata.name).toBe('report-drafter');
    expect(problems(DEPLOYMENT_EXAMPLE)).toEqual([
      '8: spec.triggers: is required of a focused agent, which lists what wakes it',
      '8: spec.modelConfigRef: is required of a focused agent, which names its model configuration',
      '8: spec.systemPromptRef: is required of a focused agent, which names where its system prompt is kept',
      '8: spec.allowedTools: is required of a focused agent, which lists the tools it may call (an empty list for none)',
      '8: spec.budgetRef: is required of a focused agent, which names the BudgetQuota that caps its spending',
    ]);
  });

  it('requires of each trigger the fields of its kind, and refuses the fields of other kinds', () => {
    const text = EXAMPLE.replace(
      / {2}triggers:\n( {4}.*\n| {6}.*\n| {8}.*\n)+/,
      [
        '  triggers:',
        '    - kind: webhook',
        '      source: github',
        '    - kind: schedule',
        '      schedule: "@daily"',
        '      source: github',
        '    - kind: api-call',
        '    - kind: chat-message',
        '      source: team-chat',
        '      eventTypes: []',
        '',
      ].join('\n'),
    );
    expect(problems(text)).toEqual([
      '23: spec.triggers[0].eventTypes: is required for a webhook trigger',
      '27: spec.triggers[1].source: does not apply to a schedule trigger; remove it',
      '26: spec.triggers[1].schedule: must be a five-field cron expression (got "@daily")',
      '28: spec.triggers[2].operation: is required for an api-call trigger',
      '31: spec.triggers[3].eventTypes: does not apply to a chat-message trigger; remove it',
    ]);
  });

  it('reports what the CRD refuses with line and field path before the focused-agent rules', () => {
    const text = EXAMPLE.replace('    - issue-label', '    - Issue_Label').replace('    - kind: webhook', '    - kind: cron');
    const messages = (() => {
      try {
        loadFocusedAgent(text, 'agent.yaml');
      } catch (error) {
        if (error instanceof ResourceFileInvalid) return error.issues.map((issue) => `${issue.line}: ${issue.path}: ${issue.message}`);
        throw error;
      }
      throw new Error('the agent was accepted');
    })();
    expect(messages).toEqual([
      '23: spec.triggers[0].kind: must be one of "webhook", "api-call", "chat-message", "schedule" (got "cron")',
      '35: spec.allowedTools[1]: must match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (got "Issue_Label")',
    ]);
  });

  it('refuses an empty trigger list', () => {
    expect(problems(EXAMPLE.replace(/ {2}triggers:\n( {4}.*\n| {6}.*\n| {8}.*\n)+/, '  triggers: []\n'))).toEqual([
      '22: spec.triggers: is empty: a focused agent is woken by at least one trigger',
    ]);
  });
});

describe('routing from Agent resources', () => {
  it("builds the receiver's routing table from the agents' webhook triggers", () => {
    const triage = loadFocusedAgent(EXAMPLE, 'triage.yaml');
    const ledger = loadFocusedAgent(
      EXAMPLE.replace('name: triage-agent\n', 'name: ledger-agent\n').replace('source: github', 'source: billing').replace(/- issues\.opened\n\s+- issues\.reopened/, '- invoice'),
      'ledger.yaml',
    );
    const routes = routesFromAgents([triage, ledger]);
    expect({ ...routes }).toEqual({ 'issues.opened': 'triage-agent', 'issues.reopened': 'triage-agent', invoice: 'ledger-agent' });
    expect(routeEvent(routes, 'invoice.paid')).toBe('ledger-agent');
  });

  it('refuses two agents woken by one event type: one event wakes one agent', () => {
    const triage = loadFocusedAgent(EXAMPLE, 'triage.yaml');
    const rival = loadFocusedAgent(EXAMPLE.replace('name: triage-agent\n', 'name: rival-agent\n'), 'rival.yaml');
    expect(() => routesFromAgents([triage, rival])).toThrow(InvalidOptionError);
    expect(() => routesFromAgents([triage, rival])).toThrow('an event type no other agent handles (agent "triage-agent" does)');
  });
});
