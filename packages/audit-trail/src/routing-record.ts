// The routing-decision entry: one decision of a model router (where a request went, or why it
// was refused), for the same chain as tool calls and gate decisions. A gate record names a plan
// and its hash; a routing decision has neither. Its identity is its own content: the SHA-256 of
// the decision's canonical JSON, the id `@12-factor-agentops/deployment-profiles` gives it.
import { createHash } from 'node:crypto';
import { CanonicalEncodingError, canonicalJson } from '@12-factor-agentops/approval-gates';

/**
 * A router's decision: plain JSON data whose `decision` says which of the two outcomes it is.
 * Its other fields are the router's own; they are checked to be JSON when the entry is written.
 */
export interface RouterDecision {
  readonly decision: 'routed' | 'refused';
}

/** What a caller hands to `AuditTrail.recordRoutingDecision`: a decision record (as `toRoutingRecord` makes) and who asked for the route. */
export interface RoutingDecision {
  /** SHA-256 (64 lower-case hex digits) of `decision`'s canonical JSON. */
  readonly decisionId: string;
  /** When the router decided (ISO 8601); stored as the entry's `at`. */
  readonly decidedAt: string;
  readonly decision: RouterDecision;
  /** The agent or service the request came from. */
  readonly actor: string;
}

/** One routing decision in the chain. */
export interface RoutingDecisionRecord {
  readonly kind: 'routing';
  readonly decisionId: string;
  readonly decision: RouterDecision;
  readonly actor: string;
  readonly at: string;
}

/** The record `recordRoutingDecision` appends for `input`; checked by the writer and the verifier alike. */
export function routingDecisionRecord(input: RoutingDecision): RoutingDecisionRecord {
  const { decisionId, decision, actor, decidedAt } = input;
  return { kind: 'routing', decisionId, decision, actor, at: decidedAt };
}

const LOWER_HEX_64 = /^[0-9a-f]{64}$/;

/**
 * Why the fields of a routing entry would be rejected, or undefined. The id must name the
 * decision it sits beside: a record whose id belongs to another decision is refused when written
 * and reported as malformed when read, even if its entry hash was recomputed.
 */
export function routingRecordProblem(fields: Readonly<Record<string, unknown>>): string | undefined {
  const { decision, decisionId } = fields;
  if (typeof decisionId !== 'string' || !LOWER_HEX_64.test(decisionId)) return 'field "decisionId" is not 64 lower-case hex digits';
  if (typeof decision !== 'object' || decision === null || Array.isArray(decision)) return NOT_A_DECISION;
  const outcome = (decision as { readonly decision?: unknown }).decision;
  if (outcome !== 'routed' && outcome !== 'refused') return NOT_A_DECISION;
  let canonical: string;
  try {
    canonical = canonicalJson(decision);
  } catch (error) {
    if (error instanceof CanonicalEncodingError) return `field "decision" is not JSON data: ${error.message}`;
    throw error;
  }
  const hash = createHash('sha256').update(canonical, 'utf8').digest('hex');
  return hash === decisionId ? undefined : `field "decisionId" is not the SHA-256 of the decision's canonical JSON (${hash})`;
}

const NOT_A_DECISION = 'field "decision" is not a router decision: an object whose "decision" is "routed" or "refused"';

/** How an unwritten routing entry is named in an `AuditWriteFailed` message. */
export function describeRoutingRecord(record: RoutingDecisionRecord): string {
  return `the routing decision ${record.decisionId.slice(0, 12)}… (${String(record.decision.decision)})`;
}
