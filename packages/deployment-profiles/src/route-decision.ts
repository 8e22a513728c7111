// What both routers share: reading a request without trusting it, the order of the rules,
// and the decision they produce. The routers differ only in how they find the candidates.
import type { CatalogueEndpoint } from './catalogue.ts';
import { NAME_PATTERN } from './catalogue.ts';
import { InvalidRouteRequest, UnknownLabel, UnknownTier } from './errors.ts';
import { clears, parseLabel } from './labels.ts';
import type { Label } from './labels.ts';
import { kindOf, readPlainArray, readPlainObject } from './plain-data.ts';
import { parseTier, profileFor } from './profiles.ts';
import type { EndpointKind, TierId } from './profiles.ts';

/** What a caller asks: a model for this kind of task, called from this tier, on data with this label. */
export interface RouteRequest {
  readonly task: string;
  readonly tier: TierId;
  readonly label: Label;
}

/** Endpoints the caller's monitoring reports as down; the router falls back past them. */
export interface RouteHealth {
  readonly unavailable: readonly string[];
}

/** The router's rules in the order they are applied. A refusal names the first rule no endpoint (or the request) passed. */
export const ROUTER_RULES = [
  { id: 'request-is-plain-data', refusal: 'invalid-request', rule: 'the request is a plain object { task, tier, label } whose task is 1-63 lower case letters, digits or "-"; health, when given, is { unavailable: [endpoint ids] }. Proxies, getters and class instances are refused unread.' },
  { id: 'tier-is-known', refusal: 'unknown-tier', rule: 'the caller\'s tier is one of the three profiles' },
  { id: 'label-is-known', refusal: 'unknown-label', rule: 'the label is in the lattice PUBLIC < INTERNAL < RESTRICTED' },
  { id: 'tier-cleared-for-label', refusal: 'tier-not-cleared', rule: 'the caller\'s tier may hold data of the label (its clearance ceiling is at or above it)' },
  { id: 'endpoint-serves-task', refusal: 'no-endpoint-for-task', rule: 'the endpoint lists the task kind' },
  { id: 'endpoint-within-reach', refusal: 'no-endpoint-reachable', rule: 'the endpoint\'s tier is one the caller\'s profile reaches (its boundary)' },
  { id: 'endpoint-cleared-for-label', refusal: 'no-endpoint-cleared', rule: 'the endpoint is cleared at or above the label (no write-down)' },
  { id: 'endpoint-available', refusal: 'no-endpoint-available', rule: 'the endpoint is not reported unavailable' },
  { id: 'preference-order', refusal: null, rule: 'of the endpoints that pass every rule above, the first is chosen: the caller\'s own tier first, then the other tiers in the order its profile lists them in `reaches`, catalogue order within a tier; choosing a later one because earlier ones are unavailable is a fallback' },
] as const;

export type RouterRuleId = (typeof ROUTER_RULES)[number]['id'];
export type RefusalReason = Exclude<(typeof ROUTER_RULES)[number]['refusal'], null>;

/** The endpoint a decision chose, as recorded. */
export interface ChosenEndpoint {
  readonly id: string;
  readonly tier: TierId;
  readonly kind: EndpointKind;
  readonly clearance: Label;
  readonly model: string;
}

/** How many catalogue endpoints passed each candidate rule, for the explanation. */
export interface CandidateCounts {
  readonly servingTask: number;
  readonly withinReach: number;
  readonly cleared: number;
}

/** The request was routed. `outputLabel` is the label of the response: a follow-up call that uses it must carry at least this label. */
export interface RoutedDecision {
  readonly decision: 'routed';
  readonly request: RouteRequest;
  readonly endpoint: ChosenEndpoint;
  readonly outputLabel: Label;
  readonly rule: 'preference-order';
  readonly fallback: boolean;
  /** Endpoints ahead of the chosen one that passed every rule but were unavailable. */
  readonly skippedUnavailable: readonly string[];
  readonly counts: CandidateCounts;
  readonly explanation: string;
  readonly catalogueHash: string;
}

/** The request was refused. `request` is null when the request itself could not be read; `field` names the part at fault. */
export interface RefusedDecision {
  readonly decision: 'refused';
  readonly request: RouteRequest | null;
  readonly reason: RefusalReason;
  readonly rule: RouterRuleId;
  readonly field: string | null;
  readonly counts: CandidateCounts | null;
  readonly explanation: string;
  readonly catalogueHash: string;
}

/** Every outcome of `route`: plain JSON data, ready to record. */
export type RouteDecision = RoutedDecision | RefusedDecision;

/** The endpoints that pass the task, reach and clearance rules, in order of preference, with the counts along the way. */
export interface Candidates extends CandidateCounts {
  readonly eligible: readonly CatalogueEndpoint[];
}

/**
 * Reads a routing request as plain data. Throws `InvalidRouteRequest` (not a plain object,
 * an accessor or Proxy, an unknown field, a malformed task), `UnknownTier` or `UnknownLabel`,
 * each naming its field.
 */
export function parseRouteRequest(request: unknown): RouteRequest {
  const read = readPlainObject(request);
  if (!read.ok) throw new InvalidRouteRequest('request', read.problem);
  for (const key of read.value.keys()) {
    if (key !== 'task' && key !== 'tier' && key !== 'label') throw new InvalidRouteRequest(key, 'is not a field of a route request (task, tier, label)');
  }
  const task = read.value.get('task');
  if (typeof task !== 'string' || !NAME_PATTERN.test(task)) throw new InvalidRouteRequest('task', `must be a task kind of 1-63 lower case letters, digits or "-", got ${kindOf(task)}`);
  const tier = parseTier(read.value.get('tier'), 'tier');
  const label = parseLabel(read.value.get('label'), 'label');
  return { task, tier, label };
}

/** Reads `{ unavailable: [ids] }`; `undefined` means all are available. Throws `InvalidRouteRequest` naming the field. */
export function parseRouteHealth(health: unknown): ReadonlySet<string> {
  if (health === undefined) return NONE;
  const read = readPlainObject(health);
  if (!read.ok) throw new InvalidRouteRequest('health', read.problem);
  for (const key of read.value.keys()) if (key !== 'unavailable') throw new InvalidRouteRequest(`health.${key}`, 'is not a field of route health (unavailable)');
  const list = read.value.get('unavailable');
  if (list === undefined) return NONE;
  const items = readPlainArray(list);
  if (!items.ok) throw new InvalidRouteRequest('health.unavailable', items.problem);
  const ids = new Set<string>();
  items.value.forEach((id, index) => {
    if (typeof id !== 'string') throw new InvalidRouteRequest(`health.unavailable[${index}]`, `must be an endpoint id, got ${kindOf(id)}`);
    ids.add(id);
  });
  return ids;
}

const NONE: ReadonlySet<string> = new Set();

// Health reports already read by `routeHealth`, so a router called many times with the same
// report does not copy it again. A WeakMap lookup runs no code of the key, Proxy or not.
const snapshots = new WeakMap<object, ReadonlySet<string>>();

/**
 * Reads a health report once and returns a frozen snapshot that `route` recognises and uses
 * without reading it again: the way to pass the same report to many decisions. Throws
 * `InvalidRouteRequest` naming the field, as `parseRouteHealth` does.
 */
export function routeHealth(health: unknown): RouteHealth {
  const ids = parseRouteHealth(health);
  const snapshot: RouteHealth = Object.freeze({ unavailable: Object.freeze([...ids]) });
  snapshots.set(snapshot, ids);
  return snapshot;
}

function unavailableIn(health: unknown): ReadonlySet<string> {
  return (typeof health === 'object' && health !== null ? snapshots.get(health) : undefined) ?? parseRouteHealth(health);
}

/** A decision maker: given a readable request, the candidates for it. */
export type FindCandidates = (request: RouteRequest) => Candidates;

/**
 * Applies the rules in order and never throws: bad input becomes a refusal naming the rule
 * and the field. `find` is how a router gathers the candidates (an index or a scan).
 */
export function decideRoute(requestInput: unknown, healthInput: unknown, find: FindCandidates, catalogueHash: string): RouteDecision {
  let request: RouteRequest;
  let unavailable: ReadonlySet<string>;
  try {
    request = parseRouteRequest(requestInput);
    unavailable = unavailableIn(healthInput);
  } catch (error) {
    return unreadable(error, catalogueHash);
  }
  const ceiling = profileFor(request.tier).clearanceCeiling;
  if (!clears(ceiling, request.label)) {
    return refused(request, 'tier-not-cleared', 'tier-cleared-for-label', null, `${describe(request)}: the ${request.tier} tier may hold data up to ${ceiling}, so ${request.label} data must not be here at all; refused`, catalogueHash);
  }
  const candidates = find(request);
  const counts: CandidateCounts = { servingTask: candidates.servingTask, withinReach: candidates.withinReach, cleared: candidates.cleared };
  if (candidates.servingTask === 0) {
    return refused(request, 'no-endpoint-for-task', 'endpoint-serves-task', counts, `${describe(request)}: no endpoint in the catalogue serves "${request.task}"; refused`, catalogueHash);
  }
  if (candidates.withinReach === 0) {
    return refused(request, 'no-endpoint-reachable', 'endpoint-within-reach', counts, `${describe(request)}: ${candidates.servingTask} endpoint(s) serve "${request.task}", none in a tier ${request.tier} reaches (${profileFor(request.tier).reaches.join(', ')}); refused rather than cross the boundary`, catalogueHash);
  }
  if (candidates.cleared === 0) {
    return refused(request, 'no-endpoint-cleared', 'endpoint-cleared-for-label', counts, `${describe(request)}: ${candidates.withinReach} endpoint(s) within reach serve "${request.task}", none cleared for ${request.label}; refused rather than write down`, catalogueHash);
  }
  let skipped: string[] | undefined;
  for (const endpoint of candidates.eligible) {
    if (unavailable.has(endpoint.id)) {
      (skipped ??= []).push(endpoint.id);
      continue;
    }
    const fallback = skipped !== undefined;
    return {
      decision: 'routed',
      request,
      endpoint: summary(endpoint),
      outputLabel: request.label,
      rule: 'preference-order',
      fallback,
      skippedUnavailable: skipped ?? [],
      counts,
      explanation: `${describe(request)} → ${endpoint.id} (${endpoint.tier}, ${endpoint.kind}, cleared ${endpoint.clearance})${fallback ? `, falling back past unavailable ${(skipped ?? []).join(', ')}` : ''}: first by preference of ${candidates.cleared} endpoint(s) serving the task, within reach and cleared for ${request.label}; the response is ${request.label}`,
      catalogueHash,
    };
  }
  return refused(request, 'no-endpoint-available', 'endpoint-available', counts, `${describe(request)}: all ${candidates.cleared} endpoint(s) cleared for it are unavailable (${(skipped ?? []).join(', ')}); refused, no fallback below the label or across the boundary`, catalogueHash);
}

function unreadable(error: unknown, catalogueHash: string): RefusedDecision {
  if (error instanceof UnknownTier) return refused(null, 'unknown-tier', 'tier-is-known', null, error.message, catalogueHash, error.field);
  if (error instanceof UnknownLabel) return refused(null, 'unknown-label', 'label-is-known', null, error.message, catalogueHash, error.field);
  if (error instanceof InvalidRouteRequest) return refused(null, 'invalid-request', 'request-is-plain-data', null, error.message, catalogueHash, error.field);
  throw error;
}

function refused(request: RouteRequest | null, reason: RefusalReason, rule: RouterRuleId, counts: CandidateCounts | null, explanation: string, catalogueHash: string, field: string | null = null): RefusedDecision {
  return { decision: 'refused', request, reason, rule, field, counts, explanation, catalogueHash };
}

const summaries = new WeakMap<CatalogueEndpoint, ChosenEndpoint>();

// One frozen summary per catalogue endpoint, shared by every decision that chooses it.
function summary(endpoint: CatalogueEndpoint): ChosenEndpoint {
  let found = summaries.get(endpoint);
  if (found === undefined) {
    found = Object.freeze({ id: endpoint.id, tier: endpoint.tier, kind: endpoint.kind, clearance: endpoint.clearance, model: endpoint.model });
    summaries.set(endpoint, found);
  }
  return found;
}

function describe(request: RouteRequest): string {
  return `${request.task} from ${request.tier} with ${request.label} data`;
}
