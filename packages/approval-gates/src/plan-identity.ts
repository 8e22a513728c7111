import { createHash } from 'node:crypto';
import { readPlainJson, type JsonLimits, type JsonValue } from './canonical-json.ts';
import { DEFAULT_MAX_PLAN_DEPTH, DEFAULT_MAX_PLAN_LENGTH } from './defaults.ts';

/** The plan as the gate holds it: plain JSON data, compared by content and never by reference. */
export type PlanData = JsonValue;

/** A plan's identity: the snapshot that was read, the exact bytes encoded from it, and their hash. */
export interface PlanIdentity {
  /** Lower-case hex SHA-256 of `canonical`. */
  readonly planHash: string;
  /** The canonical JSON encoding of `plan`. */
  readonly canonical: string;
  /** A deep-frozen plain copy of the plan, equal to `JSON.parse(canonical)`: the data that was hashed. */
  readonly plan: PlanData;
}

// The plan's own limits (DEFAULT_MAX_PLAN_*) unless the caller sets others.
function planLimits(limits: JsonLimits): JsonLimits {
  return { maxDepth: limits.maxDepth ?? DEFAULT_MAX_PLAN_DEPTH, maxLength: limits.maxLength ?? DEFAULT_MAX_PLAN_LENGTH };
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

// #region plan-hash
/**
 * Takes one plain-data snapshot of `plan`, reading each property once, and identifies it by
 * content: the SHA-256 of the snapshot's canonical JSON, in lower-case hex. Two plans share a
 * hash exactly when they hold the same data, whatever the key order; any other change (a nested
 * field, an array's order, one digit of a number) gives a new hash. Throws
 * `CanonicalEncodingError` for anything that is not plain JSON data, nested deeper than
 * `limits.maxDepth` (default `DEFAULT_MAX_PLAN_DEPTH`) or longer than `limits.maxLength`
 * (default `DEFAULT_MAX_PLAN_LENGTH`).
 */
export function identifyPlan(plan: unknown, limits: JsonLimits = {}): PlanIdentity {
  const { canonical, copy } = readPlainJson(plan, planLimits(limits), true);
  return { planHash: sha256(canonical), canonical, plan: copy };
}

/** The `planHash` of `identifyPlan(plan, limits)`, without keeping a copy of the plan. */
export function hashPlan(plan: unknown, limits: JsonLimits = {}): string {
  return sha256(readPlainJson(plan, planLimits(limits), false).canonical);
}

/** The `plan` of `identifyPlan(plan, limits)`: a deep-frozen plain copy, read once. */
export function snapshotPlan(plan: unknown, limits: JsonLimits = {}): PlanData {
  return readPlainJson(plan, planLimits(limits), true).copy;
}
// #endregion plan-hash
