import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/** The plan as the gate holds it: plain JSON data, compared by content and never by reference. */
export type { JsonValue as PlanData } from './canonical-json.ts';

/** A plan's identity and the exact bytes it was computed from. */
export interface PlanIdentity {
  /** Lower-case hex SHA-256 of `canonical`. */
  readonly planHash: string;
  /** The canonical JSON encoding of the plan. */
  readonly canonical: string;
}

// #region plan-hash
/**
 * Identifies a plan by content: the SHA-256 of its canonical JSON, in lower-case hex. Two
 * plans share a hash exactly when they hold the same data, whatever the key order; any
 * other change (a nested field, an array's order, one digit of a number) gives a new hash.
 * Throws `CanonicalEncodingError` for anything that is not plain JSON data.
 */
export function hashPlan(plan: unknown): string {
  return identifyPlan(plan).planHash;
}

/** Like `hashPlan`, and also returns the canonical encoding that was hashed. */
export function identifyPlan(plan: unknown): PlanIdentity {
  const canonical = canonicalJson(plan);
  const planHash = createHash('sha256').update(canonical, 'utf8').digest('hex');
  return { planHash, canonical };
}
// #endregion plan-hash
