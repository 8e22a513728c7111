import { ClockReadingInvalid, NonDecreasingClock, describeValue, durationMs, setSafeTimer, systemClock } from '@12-factor-agentops/core';
import type { Clock } from '@12-factor-agentops/core';
import { DEFAULT_STORE_TIMEOUT_MS } from './defaults.ts';
import { QuotaUsageError, StoreAnswerInvalid, StoreTimeout, UnknownScope } from './errors.ts';
import { failClosedDenial, notRecorded } from './outcomes.ts';
import type { CommitReceipt, Denial, FailClosedReason, NotRecorded, ReleaseReceipt, Reservation } from './outcomes.ts';
import { validateQuotaSpec } from './quota-spec.ts';
import type { QuotaSpec } from './quota-spec.ts';
import { commitProblem, releaseProblem, reservationProblem } from './store-answers.ts';
import type { QuotaStore } from './store.ts';
import { toUsage } from './usage.ts';
import type { Usage, UsageInput } from './usage.ts';

/** Options of `BudgetEnforcer`. */
export interface BudgetEnforcerOptions {
  readonly store: QuotaStore;
  /**
   * Default: `systemClock`. Every reading is checked: one that is not a whole number of ms
   * from 0 up is a denial, and a step back is held at the last time read.
   */
  readonly clock?: Clock;
  /** How long to wait for the store before denying: 1 ms to 100 years, default 1000 ms (any length works: core's timers split long waits). */
  readonly storeTimeoutMs?: number;
}

/** What the work inside `guard` reports: its result and what it actually used. */
export interface WorkDone<T> {
  readonly value: T;
  readonly actual: UsageInput;
}

/** A guarded call that ran: its value and the receipt of its commit. */
export interface Guarded<T> {
  readonly granted: true;
  readonly value: T;
  readonly reservation: Reservation;
  readonly receipt: CommitReceipt | NotRecorded;
}

/**
 * Enforces the quotas held in a store, failing closed. Every decision is a value: a denial
 * (over the limit, or the store threw, answered nonsense or did not answer within
 * `storeTimeoutMs`) is returned, never thrown, and never turns into "allow". Only a
 * caller's mistake throws: a `QuotaUsageError` such as `InvalidAmount` or `UnknownScope`.
 */
export class BudgetEnforcer {
  private readonly store: QuotaStore;
  private readonly clock: Clock;
  readonly storeTimeoutMs: number;
  private readonly checkedQuotas = new WeakSet<object>();

  constructor(options: BudgetEnforcerOptions) {
    this.store = options.store;
    this.clock = new NonDecreasingClock(options.clock ?? systemClock, { source: 'the BudgetEnforcer clock' });
    this.storeTimeoutMs = durationMs('storeTimeoutMs', options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS);
  }

  // #region fail-closed
  /** Holds `estimate` against the quota of `scope` for one lease, or says why not. */
  async reserve(scope: string, estimate: UsageInput): Promise<Reservation | Denial> {
    const requested = toUsage(estimate, 'estimate');
    let quota: QuotaSpec | undefined;
    let now: number;
    let answer: unknown;
    try {
      quota = this.quotaOf(scope);
      now = this.clock.now(); // a reading that is not a time throws: the store is not asked
      answer = this.store.reserve(scope, requested, now);
    } catch (error) {
      return this.deny(scope, quota, requested, error);
    }
    // A store that answers at once (the memory store) costs no timer.
    if (!isPending(answer)) return this.decide(answer, quota, requested, now);
    const settled = await settleWithin(answer, this.storeTimeoutMs);
    if (settled.ok) return this.decide(settled.value, quota, requested, now);
    // The store may still grant after we gave up: hand that budget straight back.
    Promise.resolve(answer).then((late) => this.releaseLate(late, scope, requested, now)).catch(ignore);
    return this.deny(scope, quota, requested, settled.error);
  }

  // Acts only on an answer that is exactly what was asked for; anything else is a denial.
  private decide(answer: unknown, quota: QuotaSpec, requested: Usage, now: number): Reservation | Denial {
    const problem = reservationProblem(answer, quota.scope, requested, now);
    if (problem === undefined) return answer as Reservation | Denial;
    return this.deny(quota.scope, quota, requested, new StoreAnswerInvalid('reserve', problem));
  }

  private deny(scope: string, quota: QuotaSpec | undefined, requested: Usage, cause: unknown): Denial {
    if (cause instanceof QuotaUsageError) throw cause; // the caller's mistake, not an outage
    return failClosedDenial(reasonOf(cause), scope, quota?.limits ?? null, quota?.currency, requested, cause);
  }
  // #endregion fail-closed

  /** Records what the reserved work actually used; an amount past the estimate, or after the lease, comes back as overshoot. */
  async commit(reservation: Reservation, actual: UsageInput): Promise<CommitReceipt | NotRecorded> {
    const used = toUsage(actual, 'actual');
    let answer: unknown;
    try {
      answer = this.store.commit(reservation.scope, reservation.id, used, this.clock.now());
    } catch (error) {
      return this.notRecorded(reservation, 'commit', error);
    }
    const settled = isPending(answer) ? await settleWithin(answer, this.storeTimeoutMs) : { ok: true as const, value: answer };
    if (!settled.ok) return this.notRecorded(reservation, 'commit', settled.error);
    const problem = commitProblem(settled.value, reservation.scope, reservation.id, used);
    return problem === undefined ? (settled.value as CommitReceipt) : this.notRecorded(reservation, 'commit', new StoreAnswerInvalid('commit', problem));
  }

  /** Gives a reservation's budget back unused (the work failed or was cancelled). */
  async release(reservation: Reservation): Promise<ReleaseReceipt | NotRecorded> {
    let answer: unknown;
    try {
      answer = this.store.release(reservation.scope, reservation.id, this.clock.now());
    } catch (error) {
      return this.notRecorded(reservation, 'release', error);
    }
    const settled = isPending(answer) ? await settleWithin(answer, this.storeTimeoutMs) : { ok: true as const, value: answer };
    if (!settled.ok) return this.notRecorded(reservation, 'release', settled.error);
    const problem = releaseProblem(settled.value, reservation.scope, reservation.id);
    return problem === undefined ? (settled.value as ReleaseReceipt) : this.notRecorded(reservation, 'release', new StoreAnswerInvalid('release', problem));
  }

  // #region guard
  /**
   * Runs `work` only if `estimate` fits: reserve, run, then commit what the work reports it
   * used, or release if it throws (and rethrow). A denial is returned and the work never starts.
   */
  async guard<T>(scope: string, estimate: UsageInput, work: (reservation: Reservation) => Promise<WorkDone<T>>): Promise<Guarded<T> | Denial> {
    const reservation = await this.reserve(scope, estimate);
    if (!reservation.granted) return reservation;
    let done: WorkDone<T>;
    try {
      done = await work(reservation);
    } catch (error) {
      await this.release(reservation);
      throw error;
    }
    const receipt = await this.commit(reservation, done.actual);
    return { granted: true, value: done.value, reservation, receipt };
  }
  // #endregion guard

  // The quota the store holds for `scope`: `UnknownScope` when it has none, `StoreAnswerInvalid`
  // when its answer is not a valid quota for the scope. A frozen quota is checked once.
  private quotaOf(scope: string): QuotaSpec {
    const quota: unknown = this.store.quota(scope);
    if (quota === undefined) throw new UnknownScope(scope);
    if (this.checkedQuotas.has(quota as object)) return quota as QuotaSpec;
    if (typeof quota !== 'object' || quota === null) throw new StoreAnswerInvalid('quota', `the quota of ${scope} is ${describeValue(quota)}, expected a QuotaSpec`);
    try {
      validateQuotaSpec(quota as QuotaSpec);
    } catch (error) {
      throw new StoreAnswerInvalid('quota', (error as Error).message);
    }
    const spec = quota as QuotaSpec;
    if (spec.scope !== scope) throw new StoreAnswerInvalid('quota', `the quota of ${scope} is for scope ${JSON.stringify(spec.scope)}`);
    if (Object.isFrozen(spec) && Object.isFrozen(spec.limits) && Object.isFrozen(spec.window)) this.checkedQuotas.add(spec);
    return spec;
  }

  // A grant that arrived after the timeout is released, if it is one: its budget would
  // otherwise stay held, unused, until its lease ends.
  private releaseLate(late: unknown, scope: string, requested: Usage, now: number): unknown {
    if (reservationProblem(late, scope, requested, now) !== undefined || !(late as Reservation | Denial).granted) return undefined;
    return this.release(late as Reservation);
  }

  private notRecorded(reservation: Reservation, operation: 'commit' | 'release', cause: unknown): NotRecorded {
    if (cause instanceof QuotaUsageError) throw cause;
    return notRecorded(reasonOf(cause), reservation.scope, reservation.id, operation, cause);
  }
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

function settleWithin<T>(pending: PromiseLike<T>, timeoutMs: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const cancel = setSafeTimer(timeoutMs, () => resolve({ ok: false, error: new StoreTimeout(timeoutMs) }));
    pending.then(
      (value) => {
        cancel();
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        cancel();
        resolve({ ok: false, error });
      },
    );
  });
}

function reasonOf(cause: unknown): FailClosedReason {
  return cause instanceof ClockReadingInvalid ? 'clock-invalid' : 'store-unavailable';
}

function isPending(answer: unknown): answer is PromiseLike<unknown> {
  return typeof answer === 'object' && answer !== null && typeof (answer as { then?: unknown }).then === 'function';
}

function ignore(): void {
  // A late grant that cannot be released expires with its lease.
}
