import { createHash } from 'node:crypto';
import { canonicalJson } from '@12-factor-agentops/approval-gates';
import { InvalidCatalogue } from './errors.ts';
import type { FieldIssue } from './errors.ts';
import { clears, isLabel } from './labels.ts';
import type { Label } from './labels.ts';
import { kindOf, readPlainArray, readPlainObject } from './plain-data.ts';
import { TIER_IDS, isTierId, profileFor } from './profiles.ts';
import type { EndpointKind, TierId } from './profiles.ts';

/** One model endpoint the router may choose: where it runs, what it is cleared for, which tasks it serves. */
export interface CatalogueEndpoint {
  readonly id: string;
  /** The tier the endpoint runs in. */
  readonly tier: TierId;
  readonly kind: EndpointKind;
  /** The highest label the endpoint is cleared to receive. Required: an endpoint without one is refused, never assumed PUBLIC. */
  readonly clearance: Label;
  /** Task kinds it serves. */
  readonly tasks: readonly string[];
  /** The model behind it, for people reading a decision. */
  readonly model: string;
}

/** A validated catalogue, frozen, with the SHA-256 of its canonical JSON so a decision can name the catalogue that made it. */
export interface EndpointCatalogue {
  readonly endpoints: readonly CatalogueEndpoint[];
  readonly catalogueHash: string;
}

/** Endpoint ids and task kinds: lower case letters, digits and dashes, 1-63 characters (a DNS label). */
export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Checks a catalogue `{ endpoints: [...] }` (or the list alone) and returns it frozen, in
 * the given order, which is the router's order of preference within a tier. Throws `InvalidCatalogue`
 * listing every problem with its field path: an entry without a clearance, a label not in
 * the lattice, an unknown tier, a hosted API in a tier that serves models itself, a
 * clearance above its tier's ceiling, a duplicate id. Never runs a getter or a Proxy trap.
 */
export function validateCatalogue(input: unknown): EndpointCatalogue {
  const issues: FieldIssue[] = [];
  let list: unknown = input;
  if (!Array.isArray(input)) {
    const root = readPlainObject(input);
    if (!root.ok) throw new InvalidCatalogue([{ path: '(catalogue)', message: `${root.problem}; pass { endpoints: [...] }` }]);
    list = root.value.get('endpoints');
  }
  const entries = readPlainArray(list);
  if (!entries.ok) throw new InvalidCatalogue([{ path: 'endpoints', message: entries.problem }]);
  const endpoints: CatalogueEndpoint[] = [];
  const ids = new Map<string, number>();
  entries.value.forEach((entry, index) => {
    const endpoint = readEndpoint(entry, `endpoints[${index}]`, issues);
    if (endpoint === undefined) return;
    const first = ids.get(endpoint.id);
    if (first !== undefined) issues.push({ path: `endpoints[${index}].id`, message: `"${endpoint.id}" is already the id of endpoints[${first}]; ids must be unique` });
    ids.set(endpoint.id, index);
    endpoints.push(endpoint);
  });
  if (issues.length > 0) throw new InvalidCatalogue(issues);
  const frozen = Object.freeze(endpoints.map((endpoint) => Object.freeze({ ...endpoint, tasks: Object.freeze([...endpoint.tasks]) })));
  return Object.freeze({ endpoints: frozen, catalogueHash: createHash('sha256').update(canonicalJson(frozen), 'utf8').digest('hex') });
}

function readEndpoint(entry: unknown, at: string, issues: FieldIssue[]): CatalogueEndpoint | undefined {
  const read = readPlainObject(entry);
  if (!read.ok) {
    issues.push({ path: at, message: read.problem });
    return undefined;
  }
  const fields = read.value;
  const before = issues.length;
  const problem = (field: string, message: string): void => {
    issues.push({ path: `${at}.${field}`, message });
  };
  const known = new Set(['id', 'tier', 'kind', 'clearance', 'tasks', 'model']);
  for (const key of fields.keys()) if (!known.has(key)) problem(key, `is not a field of a catalogue entry (fields: ${[...known].join(', ')})`);

  const id = fields.get('id');
  if (typeof id !== 'string' || !NAME_PATTERN.test(id)) problem('id', `must be 1-63 lower case letters, digits or "-", got ${kindOf(id)}`);
  const tier = fields.get('tier');
  if (!isTierId(tier)) problem('tier', `${tier === undefined ? 'is missing' : `${kindOf(tier)} is not a deployment tier`}; use one of ${TIER_IDS.join(', ')}`);
  const kind = fields.get('kind');
  if (kind !== 'self-hosted' && kind !== 'hosted-api') problem('kind', `must be "self-hosted" or "hosted-api", got ${kindOf(kind)}`);
  const clearance = fields.get('clearance');
  if (clearance === undefined) problem('clearance', 'is missing: every endpoint must declare the highest label it is cleared for (PUBLIC, INTERNAL or RESTRICTED); none is assumed');
  else if (!isLabel(clearance)) problem('clearance', `${kindOf(clearance)} is not a label of the lattice; use PUBLIC, INTERNAL or RESTRICTED`);
  const tasks = readTasks(fields.get('tasks'), `${at}.tasks`, issues);
  const model = fields.get('model');
  if (typeof model !== 'string' || model.length === 0 || model.length > 253) problem('model', `must be a model name of 1-253 characters, got ${kindOf(model)}`);

  if (isTierId(tier)) {
    const profile = profileFor(tier);
    if ((kind === 'self-hosted' || kind === 'hosted-api') && !profile.endpointKinds.includes(kind)) {
      problem('kind', `a ${kind} endpoint cannot run in the ${tier} tier, which allows ${profile.endpointKinds.join(', ')}`);
    }
    if (isLabel(clearance) && !clears(profile.clearanceCeiling, clearance)) {
      problem('clearance', `${clearance} is above the ${tier} tier's ceiling ${profile.clearanceCeiling}; no endpoint in that tier may be cleared higher`);
    }
  }
  if (issues.length > before || tasks === undefined) return undefined;
  return { id: id as string, tier: tier as TierId, kind: kind as EndpointKind, clearance: clearance as Label, tasks, model: model as string };
}

function readTasks(value: unknown, at: string, issues: FieldIssue[]): string[] | undefined {
  const read = readPlainArray(value);
  if (!read.ok) {
    issues.push({ path: at, message: value === undefined ? 'is missing: list the task kinds the endpoint serves' : read.problem });
    return undefined;
  }
  if (read.value.length === 0) {
    issues.push({ path: at, message: 'is empty: an endpoint serves at least one task kind' });
    return undefined;
  }
  const tasks: string[] = [];
  read.value.forEach((task, index) => {
    if (typeof task !== 'string' || !NAME_PATTERN.test(task)) issues.push({ path: `${at}[${index}]`, message: `must be a task kind of 1-63 lower case letters, digits or "-", got ${kindOf(task)}` });
    else if (tasks.includes(task)) issues.push({ path: `${at}[${index}]`, message: `"${task}" is listed twice` });
    else tasks.push(task);
  });
  return tasks.length === read.value.length ? tasks : undefined;
}
