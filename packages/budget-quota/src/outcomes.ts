import { DIMENSIONS, formatAmount, formatUsage } from './usage.ts';
import type { Dimension, Usage } from './usage.ts';
import type { QuotaLimits } from './quota-spec.ts';

/** A granted reservation: a lease on `estimate` until `expiresAt`, to be committed or released exactly once. */
export interface Reservation {
  readonly granted: true;
  readonly scope: string;
  readonly id: string;
  readonly estimate: Usage;
  /** After this time (ms since the epoch) the budget returns; a commit after it counts as overshoot. */
  readonly expiresAt: number;
}

/**
 * Why a call was refused. `over-limit`: the estimate does not fit. `store-unavailable`: the
 * store threw, answered nonsense or did not answer in time. `clock-invalid`: the clock did not
 * answer a time, so nothing was asked. The last two refuse without knowing (fail closed).
 */
export type DenialReason = 'over-limit' | FailClosedReason;

/** A refusal made without knowing the usage: the store or the clock could not be trusted. */
export type FailClosedReason = 'store-unavailable' | 'clock-invalid';

/** A refusal, with the scope, the limit, what was used and what was asked. */
export interface Denial {
  readonly granted: false;
  readonly reason: DenialReason;
  readonly scope: string;
  /** The quota's limits; `null` when the store could not say what they are. */
  readonly limit: QuotaLimits | null;
  readonly currency: string | undefined;
  /** Committed plus outstanding when the decision was made; `null` when the store could not say. */
  readonly used: Usage | null;
  readonly requested: Usage;
  /** The dimensions that would pass their limit (empty for `store-unavailable`). */
  readonly exceeded: readonly Dimension[];
  readonly message: string;
}

/** A recorded commit. `overshoot` is what went past the budget held for it; `late` means the lease had expired. */
export interface CommitReceipt {
  readonly recorded: true;
  readonly scope: string;
  readonly reservationId: string;
  readonly actual: Usage;
  readonly overshoot: Usage;
  /** True when any dimension of `overshoot` is above 0. */
  readonly overshot: boolean;
  readonly late: boolean;
}

/** A recorded release; `late` means the lease had already expired and the budget had already returned. */
export interface ReleaseReceipt {
  readonly recorded: true;
  readonly scope: string;
  readonly reservationId: string;
  readonly late: boolean;
}

/**
 * A commit or release the store could not record (or the clock could not date). The budget
 * stays held until the lease expires; retry with the same reservation (a retry after expiry
 * is recorded as a late commit).
 */
export interface NotRecorded {
  readonly recorded: false;
  readonly reason: FailClosedReason;
  readonly scope: string;
  readonly reservationId: string;
  readonly message: string;
}

/** What a scope has spent and holds at one moment. */
export interface UsageSnapshot {
  readonly scope: string;
  /** The ledger's time for this snapshot, in ms since the epoch. */
  readonly at: number;
  /** Start of the span of committed usage that counts now. */
  readonly windowStart: number;
  readonly limit: QuotaLimits;
  readonly currency: string | undefined;
  readonly committed: Usage;
  readonly outstanding: Usage;
  /** The part of `committed` that went past what was reserved (late or larger commits). */
  readonly overshoot: Usage;
  /** Reservations whose lease is still running. */
  readonly reservations: number;
}

/** Builds the denial for an estimate that does not fit: names each dimension that would pass its limit. */
export function overLimitDenial(scope: string, limit: QuotaLimits, currency: string | undefined, used: Usage, requested: Usage): Denial {
  const exceeded = DIMENSIONS.filter((dimension) => used[dimension] + requested[dimension] > (limit[dimension] ?? Number.POSITIVE_INFINITY));
  const reasons = exceeded.map(
    (dimension) =>
      `${formatAmount(dimension, used[dimension], currency)} used + ${formatAmount(dimension, requested[dimension], currency)} asked > ` +
      `${formatAmount(dimension, limit[dimension] ?? 0, currency)} limit`,
  );
  return {
    granted: false,
    reason: 'over-limit',
    scope,
    limit,
    currency,
    used,
    requested,
    exceeded,
    message: `budget denied for ${scope}: ${reasons.join('; ')}`,
  };
}

/** Builds the denial given when the store or the clock could not be trusted: the limit and the request are known, the usage is not. */
export function failClosedDenial(reason: FailClosedReason, scope: string, limit: QuotaLimits | null, currency: string | undefined, requested: Usage, cause: unknown): Denial {
  return {
    granted: false,
    reason,
    scope,
    limit,
    currency,
    used: null,
    requested,
    exceeded: [],
    message:
      `budget denied for ${scope} (fail closed): ${describeCause(cause)}; ` +
      `limit ${limit === null ? 'unknown' : formatUsage(limit, currency)}, used unknown, asked ${formatUsage(requested, currency)}`,
  };
}

/** Builds the answer for a commit or release the store could not record, or the clock could not date. */
export function notRecorded(reason: FailClosedReason, scope: string, reservationId: string, operation: 'commit' | 'release', cause: unknown): NotRecorded {
  return {
    recorded: false,
    reason,
    scope,
    reservationId,
    message:
      `${operation} of reservation ${reservationId} in ${scope} not recorded: ${describeCause(cause)}; ` +
      'the estimate stays held until the lease expires; retry the same call: a commit or release the store did apply answers with its first receipt',
  };
}


function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : `the quota store failed with ${String(cause)}`;
}
