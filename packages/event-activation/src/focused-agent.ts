// The `Agent` custom resource as Factor III reads it. The kind is the one the deployment
// profiles define (one CRD per kind and group on a cluster, so one schema for both); the
// Factor III fields are optional there, and this loader requires them of a focused agent.
import { ResourceFileInvalid, loadAgent, parseYamlMapping } from '@12-factor-agentops/deployment-profiles';
import type { AgentResource, ResourceIssue, YamlLoadOptions } from '@12-factor-agentops/deployment-profiles';
import { InvalidOptionError } from '@12-factor-agentops/core';
import { defineRoutes } from './routing.ts';
import type { RoutingTable } from './routing.ts';
import type { TriggerKind } from './triggers.ts';

/** One trigger of a focused agent, with the fields its kind needs. */
export type AgentTrigger =
  | { readonly kind: 'webhook'; readonly source: string; readonly eventTypes: readonly string[] }
  | { readonly kind: 'api-call'; readonly operation: string }
  | { readonly kind: 'chat-message'; readonly source: string }
  | { readonly kind: 'schedule'; readonly schedule: string };

/** A focused agent: the Factor III fields of an `Agent` resource, all present and consistent. */
export interface FocusedAgent {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly description: string;
  readonly triggers: readonly AgentTrigger[];
  readonly modelConfigRef: string;
  readonly systemPrompt: { readonly configMap: string; readonly key: string };
  readonly allowedTools: readonly string[];
  readonly budgetRef: string;
  /** The whole resource, for the deployment checks of Factor XII. */
  readonly resource: AgentResource;
}

const FIELDS_OF: Readonly<Record<TriggerKind, readonly string[]>> = {
  webhook: ['source', 'eventTypes'],
  'api-call': ['operation'],
  'chat-message': ['source'],
  schedule: ['schedule'],
};
const CRON_FIELDS = /^\S+( \S+){4}$/;

/**
 * Loads one YAML document as an `Agent` (its CRD's schema, with line and field path for each
 * problem) and then as a focused agent: a description, at least one trigger with the fields
 * its kind needs and no others, a model configuration, a system prompt, allowed tools and a
 * budget. Throws `ResourceFileInvalid` listing every problem as `source:line: field.path: message`.
 */
export function loadFocusedAgent(yamlText: string, source: string, options: YamlLoadOptions = {}): FocusedAgent {
  const resource = loadAgent(yamlText, source, options);
  const { lineOf } = parseYamlMapping(yamlText, source, 'Agent', options);
  const issues: ResourceIssue[] = [];
  const spec = resource.spec;
  const refuse = (segments: readonly (string | number)[], message: string): void => {
    issues.push({ kind: 'schema', path: fieldPath(segments), line: lineOf(segments), message });
  };
  const required: [keyof AgentResource['spec'], string][] = [
    ['description', 'says in one sentence what the agent does'],
    ['triggers', 'lists what wakes it'],
    ['modelConfigRef', 'names its model configuration'],
    ['systemPromptRef', 'names where its system prompt is kept'],
    ['allowedTools', 'lists the tools it may call (an empty list for none)'],
    ['budgetRef', 'names the BudgetQuota that caps its spending'],
  ];
  for (const [field, what] of required) {
    if (spec[field] === undefined) refuse(['spec', field], `is required of a focused agent, which ${what}`);
  }
  if (spec.triggers !== undefined && spec.triggers.length === 0) refuse(['spec', 'triggers'], 'is empty: a focused agent is woken by at least one trigger');
  (spec.triggers ?? []).forEach((trigger, index) => {
    const kindName = `${trigger.kind === 'api-call' ? 'an' : 'a'} ${trigger.kind} trigger`;
    const record = trigger as Readonly<Record<string, unknown>>;
    for (const field of FIELDS_OF[trigger.kind]) {
      if (record[field] === undefined) refuse(['spec', 'triggers', index, field], `is required for ${kindName}`);
    }
    for (const field of ['source', 'eventTypes', 'operation', 'schedule']) {
      if (record[field] !== undefined && !FIELDS_OF[trigger.kind].includes(field)) {
        refuse(['spec', 'triggers', index, field], `does not apply to ${kindName}; remove it`);
      }
    }
    if (trigger.kind === 'webhook' && trigger.eventTypes?.length === 0) refuse(['spec', 'triggers', index, 'eventTypes'], 'is empty: list the event types the agent handles');
    if (trigger.kind === 'schedule' && trigger.schedule !== undefined && !CRON_FIELDS.test(trigger.schedule)) {
      refuse(['spec', 'triggers', index, 'schedule'], `must be a five-field cron expression (got ${JSON.stringify(trigger.schedule)})`);
    }
  });
  if (issues.length > 0) throw new ResourceFileInvalid(source, 'Agent', issues);
  return {
    name: resource.metadata.name,
    namespace: resource.metadata.namespace,
    description: spec.description as string,
    triggers: (spec.triggers ?? []) as readonly AgentTrigger[],
    modelConfigRef: (spec.modelConfigRef as { name: string }).name,
    systemPrompt: { configMap: (spec.systemPromptRef as { name: string }).name, key: (spec.systemPromptRef as { key: string }).key },
    allowedTools: spec.allowedTools ?? [],
    budgetRef: (spec.budgetRef as { name: string }).name,
    resource,
  };
}

/**
 * The receiver's routing table from the webhook triggers of `agents`: each event type to the
 * one agent that lists it. Two agents listing one event type is refused with
 * `InvalidOptionError` naming both: one event wakes one agent.
 */
export function routesFromAgents(agents: readonly FocusedAgent[]): RoutingTable {
  const table: Record<string, string> = {};
  for (const agent of agents) {
    for (const trigger of agent.triggers) {
      if (trigger.kind !== 'webhook') continue;
      for (const eventType of trigger.eventTypes) {
        const holder = table[eventType];
        if (holder !== undefined && holder !== agent.name) {
          throw new InvalidOptionError(`agents["${agent.name}"].spec.triggers eventType "${eventType}"`, `an event type no other agent handles (agent "${holder}" does)`, eventType);
        }
        table[eventType] = agent.name;
      }
    }
  }
  return defineRoutes(table);
}

function fieldPath(segments: readonly (string | number)[]): string {
  return segments.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('');
}
