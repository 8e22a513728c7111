import { createHash } from 'node:crypto';
import { canonicalJson } from '@12-factor-agentops/approval-gates';
import { readClock, systemClock } from '@12-factor-agentops/core';
import type { Clock } from '@12-factor-agentops/core';
import type { RouteDecision } from './route-decision.ts';

/**
 * The SHA-256 (hex) of a decision's canonical JSON (RFC 8785 key order). Two decisions with
 * the same request, outcome, explanation and catalogue have the same id, so a repeated
 * decision is recognisable in a log and a changed one is not mistaken for it.
 */
export function routingDecisionId(decision: RouteDecision): string {
  return createHash('sha256').update(canonicalJson(decision), 'utf8').digest('hex');
}

/** A decision ready for an audit trail: the decision, its id, and when it was made. Plain JSON data. */
export interface RoutingRecord {
  readonly decisionId: string;
  /** ISO 8601, UTC, from the clock passed to `toRoutingRecord`. */
  readonly decidedAt: string;
  readonly decision: RouteDecision;
}

/**
 * Wraps a decision for recording. The clock is read through core's `readClock`, so a clock
 * that answers NaN, a negative or a fractional time throws `ClockReadingInvalid` instead of
 * stamping a record with a time that never was.
 */
export function toRoutingRecord(decision: RouteDecision, clock: Clock = systemClock): RoutingRecord {
  const at = readClock(clock, 'the routing record clock');
  return { decisionId: routingDecisionId(decision), decidedAt: new Date(at).toISOString(), decision };
}
