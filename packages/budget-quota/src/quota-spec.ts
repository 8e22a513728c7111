import { MAX_DURATION_MS, describeValue } from '@12-factor-agentops/core';
import { InvalidQuotaSpec } from './errors.ts';
import { isAmount } from './usage.ts';

/** Upper bounds per dimension; an omitted dimension is not limited, but at least one must be given. */
export interface QuotaLimits {
  readonly tokens?: number;
  /** Money in integer minor units of `QuotaSpec.currency`. */
  readonly costMinor?: number;
  readonly toolCalls?: number;
}

/**
 * The window over which committed usage counts. `fixed`: windows of `durationMs` aligned to
 * the epoch (UTC), usage resets at each boundary. `rolling`: the last `durationMs`, kept as up
 * to 60 buckets, so a commit may count up to two buckets longer than exact (never shorter).
 */
export interface WindowSpec {
  readonly type: 'fixed' | 'rolling';
  readonly durationMs: number;
}

/** One quota: who it binds, its limits, its window, and how long a reservation may stay open. */
export interface QuotaSpec {
  /** What the quota binds, as a key such as `team/research` or `agent/triage`. */
  readonly scope: string;
  readonly limits: QuotaLimits;
  /** ISO 4217 code of the money in `limits.costMinor`; required when a cost limit is set. */
  readonly currency?: string;
  readonly window: WindowSpec;
  /** A reservation's lease: after this long without a commit or release, its budget returns. */
  readonly leaseMs: number;
}

const DURATION = `a whole number of ms from 1 to ${MAX_DURATION_MS} (100 years)`;

/** Throws `InvalidQuotaSpec` naming the field when a quota cannot be enforced as written. */
export function validateQuotaSpec(spec: QuotaSpec): void {
  const fail = (field: string, problem: string): never => {
    throw new InvalidQuotaSpec(typeof spec === 'object' && spec !== null ? String(spec.scope) : String(spec), field, problem);
  };
  if (typeof spec !== 'object' || spec === null) fail('(quota)', `must be an object, got ${describeValue(spec)}`);
  if (typeof spec.scope !== 'string' || spec.scope === '') fail('scope', 'must be a non-empty string');
  if (typeof spec.limits !== 'object' || spec.limits === null) fail('limits', `must be an object, got ${describeValue(spec.limits)}`);
  const { tokens, costMinor, toolCalls } = spec.limits;
  if (tokens === undefined && costMinor === undefined && toolCalls === undefined) {
    fail('limits', 'must set at least one of tokens, costMinor, toolCalls');
  }
  for (const [field, value] of Object.entries({ tokens, costMinor, toolCalls })) {
    if (value !== undefined && !isAmount(value)) fail(`limits.${field}`, `must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${String(value)}`);
  }
  if (costMinor !== undefined && (typeof spec.currency !== 'string' || !/^[A-Z]{3}$/.test(spec.currency))) {
    fail('currency', `must be an ISO 4217 code such as EUR when a cost limit is set, got ${String(spec.currency)}`);
  }
  if (spec.currency !== undefined && typeof spec.currency !== 'string') fail('currency', `must be a string, got ${describeValue(spec.currency)}`);
  if (typeof spec.window !== 'object' || spec.window === null) fail('window', `must be an object, got ${describeValue(spec.window)}`);
  if (spec.window.type !== 'fixed' && spec.window.type !== 'rolling') fail('window.type', `must be "fixed" or "rolling", got ${String(spec.window.type)}`);
  if (!isDuration(spec.window.durationMs)) fail('window.durationMs', `must be ${DURATION}, got ${String(spec.window.durationMs)}`);
  if (!isDuration(spec.leaseMs)) fail('leaseMs', `must be ${DURATION}, got ${String(spec.leaseMs)}`);
}

function isDuration(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_DURATION_MS;
}

/**
 * Returns a deep-frozen copy of `spec`, validated: what a store enforces can then change only
 * through its `updateQuota`, never by someone mutating the object it was given. Throws
 * `InvalidQuotaSpec` as `validateQuotaSpec` does.
 */
export function frozenQuotaSpec(spec: QuotaSpec): QuotaSpec {
  validateQuotaSpec(spec);
  // Copied field by field, then validated again: a getter could answer differently twice.
  const { tokens, costMinor, toolCalls } = spec.limits;
  const copy: QuotaSpec = Object.freeze({
    scope: spec.scope,
    limits: Object.freeze({
      ...(tokens === undefined ? {} : { tokens }),
      ...(costMinor === undefined ? {} : { costMinor }),
      ...(toolCalls === undefined ? {} : { toolCalls }),
    }),
    ...(spec.currency === undefined ? {} : { currency: spec.currency }),
    window: Object.freeze({ type: spec.window.type, durationMs: spec.window.durationMs }),
    leaseMs: spec.leaseMs,
  });
  validateQuotaSpec(copy);
  return copy;
}
