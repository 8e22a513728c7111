import { InvalidOptionError, MAX_DURATION_MS } from '@12-factor-agentops/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetEnforcer, InvalidAmount, ManualClock, MemoryQuotaStore, ReservationSettled, UnknownReservation } from '../src/index.ts';
import type { Awaitable, CommitReceipt, Denial, QuotaSpec, QuotaStore, ReleaseReceipt, Reservation, Usage, UsageSnapshot } from '../src/index.ts';
import { teamQuota } from './support/quotas.ts';
import { STORE_KINDS, STORE_NAMES, propertyStores, runsFor } from './support/stores.ts';
import type { PropertyStores } from './support/stores.ts';

type Fault = 'none' | 'throw' | 'reject' | 'throw-after-applying' | 'answer-late' | 'never-answer' | 'nonsense';

/**
 * Wraps a working store and breaks each call as the test says: before the inner store acts
 * (throw, reject, never answer, nonsense), or after it acted (its answer is lost or late). It
 * keeps track of the inner store's calls still running, so a test can wait until none is.
 */
class FaultyStore implements QuotaStore {
  readonly innerGrants = new Set<string>();
  // Late answers wait here until the test delivers them, after the enforcer has given up.
  private readonly late: (() => void)[] = [];
  private readonly running = new Set<PromiseLike<unknown>>();

  constructor(
    readonly inner: QuotaStore,
    private readonly faults: Fault[],
  ) {}

  quota(scope: string) {
    return this.inner.quota(scope);
  }
  reserve(scope: string, estimate: Usage, now: number): Awaitable<Reservation | Denial> {
    return this.call(() =>
      then(this.inner.reserve(scope, estimate, now), (answer) => {
        if (answer.granted) this.innerGrants.add(answer.id);
        return answer;
      }),
    );
  }
  commit(scope: string, id: string, actual: Usage, now: number): Awaitable<CommitReceipt> {
    return this.call(() => this.inner.commit(scope, id, actual, now));
  }
  release(scope: string, id: string, now: number): Awaitable<ReleaseReceipt> {
    return this.call(() => this.inner.release(scope, id, now));
  }
  usage(scope: string, now: number): Awaitable<UsageSnapshot> {
    return this.inner.usage(scope, now);
  }
  updateQuota(spec: QuotaSpec): Awaitable<void> {
    return this.inner.updateQuota(spec);
  }

  /** Delivers every late answer; resolves once their callbacks, and the store calls they made, have run. */
  async deliverLate(): Promise<void> {
    for (const deliver of this.late.splice(0)) deliver();
    await this.quiet();
  }

  /** Resolves once no call of the inner store is running, including calls the enforcer makes when an answer arrives. */
  async quiet(): Promise<void> {
    do {
      await Promise.allSettled([...this.running]);
      await new Promise((resolve) => setImmediate(resolve));
    } while (this.running.size > 0);
  }

  private call<T>(act: () => Awaitable<T>): Awaitable<T> {
    const fault = this.faults.shift() ?? 'none';
    switch (fault) {
      case 'none':
        return this.track(act());
      case 'throw':
        throw new Error('connection refused');
      case 'reject':
        return Promise.reject(new Error('connection reset'));
      case 'throw-after-applying': {
        const applied = this.track(act());
        if (!isPending(applied)) throw new Error('connection reset after the write');
        return Promise.resolve(applied).then(() => Promise.reject(new Error('connection reset after the write')));
      }
      case 'answer-late': {
        const value = this.track(act());
        return new Promise<T>((resolve) => this.late.push(() => resolve(value)));
      }
      case 'never-answer':
        return new Promise<T>(() => undefined);
      case 'nonsense':
        return undefined as T;
    }
  }

  private track<T>(answer: Awaitable<T>): Awaitable<T> {
    if (!isPending(answer)) return answer;
    const settled: Promise<boolean> = Promise.resolve(answer).then(
      (): boolean => this.running.delete(settled),
      (): boolean => this.running.delete(settled),
    );
    this.running.add(settled);
    return answer;
  }
}

function isPending<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function then<T, U>(value: Awaitable<T>, next: (value: T) => U): Awaitable<U> {
  return isPending(value) ? Promise.resolve(value).then(next) : next(value);
}

function bind(store: QuotaStore): QuotaStore {
  return {
    quota: (scope) => store.quota(scope),
    reserve: (scope, estimate, now) => store.reserve(scope, estimate, now),
    commit: (scope, id, actual, now) => store.commit(scope, id, actual, now),
    release: (scope, id, now) => store.release(scope, id, now),
    usage: (scope, now) => store.usage(scope, now),
    updateQuota: (spec) => store.updateQuota(spec),
  };
}

function setup(faults: Fault[], storeTimeoutMs = 5) {
  const clock = new ManualClock(1_000_000);
  const inner = new MemoryQuotaStore([teamQuota()]);
  const store = new FaultyStore(inner, faults);
  const budget = new BudgetEnforcer({ store, clock, storeTimeoutMs });
  return { clock, inner, store, budget };
}

describe('fail closed', () => {
  it('denies a call when the quota store throws, naming scope, limit, usage unknown and what was asked', async () => {
    const { budget } = setup(['throw']);
    const answer = await budget.reserve('team/research', { tokens: 800, costMinor: 120, toolCalls: 1 });
    expect(answer).toMatchObject({
      granted: false,
      reason: 'store-unavailable',
      scope: 'team/research',
      limit: { tokens: 1000, costMinor: 500, toolCalls: 10 },
      used: null,
      requested: { tokens: 800, costMinor: 120, toolCalls: 1 },
    });
    expect(answer.granted ? '' : answer.message).toBe(
      'budget denied for team/research (fail closed): connection refused; limit 1000 tokens, 5.00 EUR, 10 tool calls, used unknown, asked 800 tokens, 1.20 EUR, 1 tool call',
    );
  });

  it('denies a call when the quota store rejects', async () => {
    const { budget } = setup(['reject']);
    expect(await budget.reserve('team/research', { tokens: 1 })).toMatchObject({ granted: false, reason: 'store-unavailable', message: expect.stringContaining('connection reset') });
  });

  it('denies a call when the quota store does not answer within the timeout, saying how long it waited', async () => {
    const { budget } = setup(['never-answer'], 5);
    const answer = await budget.reserve('team/research', { tokens: 1 });
    expect(answer).toMatchObject({ granted: false, reason: 'store-unavailable' });
    expect(answer.granted ? '' : answer.message).toContain('the quota store did not answer within 5 ms');
  });

  it('denies a call when the quota store answers with something that is not a decision', async () => {
    const { budget } = setup(['nonsense']);
    expect(await budget.reserve('team/research', { tokens: 1 })).toMatchObject({ granted: false, reason: 'store-unavailable', message: expect.stringContaining('the quota store answered nonsense to reserve: the answer is undefined, expected an object') });
  });

  it('hands back a grant that arrives after the timeout, so the late budget is not held until its lease ends', async () => {
    const { budget, inner, store } = setup(['answer-late']);
    expect(await budget.reserve('team/research', { tokens: 700 })).toMatchObject({ granted: false, reason: 'store-unavailable' });
    expect(inner.usage('team/research', 1_000_000).outstanding.tokens).toBe(700);
    await store.deliverLate();
    expect(inner.usage('team/research', 1_000_000)).toMatchObject({ outstanding: { tokens: 0 }, reservations: 0 });
  });

  it('reports a commit the store could not record, and the estimate stays held until the lease ends', async () => {
    const { budget, inner, clock } = setup(['none', 'throw']);
    const reservation = await budget.reserve('team/research', { tokens: 300 });
    if (!reservation.granted) throw new Error(reservation.message);
    const receipt = await budget.commit(reservation, { tokens: 250 });
    expect(receipt).toMatchObject({ recorded: false, reason: 'store-unavailable', scope: 'team/research', reservationId: reservation.id });
    expect(receipt.recorded ? '' : receipt.message).toMatch(
      /commit of reservation .* not recorded: connection refused; the estimate stays held until the lease expires; retry the same call: a commit or release the store did apply answers with its first receipt$/,
    );
    expect(inner.usage('team/research', clock.now()).outstanding.tokens).toBe(300);
    clock.advance(60_000);
    expect(await budget.commit(reservation, { tokens: 250 })).toMatchObject({ recorded: true, late: true, overshoot: { tokens: 250 } });
  });

  it('answers the retry of a commit whose answer was lost with the first receipt, and counts the usage once', async () => {
    const { budget, inner, clock } = setup(['none', 'throw-after-applying']);
    const reservation = await budget.reserve('team/research', { tokens: 300 });
    if (!reservation.granted) throw new Error(reservation.message);
    const lost = await budget.commit(reservation, { tokens: 250 });
    expect(lost).toMatchObject({ recorded: false, reason: 'store-unavailable' });
    expect(lost.recorded ? '' : lost.message).toContain('retry the same call');
    const retried = await budget.commit(reservation, { tokens: 250 });
    expect(retried).toEqual({ recorded: true, scope: 'team/research', reservationId: reservation.id, actual: { tokens: 250, costMinor: 0, toolCalls: 0 }, overshoot: { tokens: 0, costMinor: 0, toolCalls: 0 }, overshot: false, late: false });
    expect(inner.usage('team/research', clock.now())).toMatchObject({ committed: { tokens: 250 }, outstanding: { tokens: 0 } });
  });

  it('does not let other code release a reservation by guessing its id, so the holder’s commit is never lost', async () => {
    const { budget, inner, clock } = setup([]);
    const victim = await budget.reserve('team/research', { tokens: 300 });
    if (!victim.granted) throw new Error(victim.message);
    for (const guess of ['r1', 'r0', 'r2', '1', victim.id.slice(0, 8)]) {
      await expect(budget.release({ ...victim, id: guess })).rejects.toThrow(UnknownReservation);
    }
    expect(inner.usage('team/research', clock.now())).toMatchObject({ outstanding: { tokens: 300 }, reservations: 1 });
    expect(await budget.commit(victim, { tokens: 300 })).toMatchObject({ recorded: true, late: false });
  });

  it('passes a caller’s mistake through as an error instead of hiding it as an outage', async () => {
    const { budget } = setup([]);
    await expect(budget.reserve('team/research', { tokens: -3 })).rejects.toThrow(InvalidAmount);
    const reservation = await budget.reserve('team/research', { tokens: 3 });
    if (!reservation.granted) throw new Error(reservation.message);
    await budget.release(reservation);
    await expect(budget.commit(reservation, { tokens: 3 })).rejects.toThrow(ReservationSettled);
    await expect(budget.commit({ ...reservation, id: 'not-issued' }, { tokens: 3 })).rejects.toThrow(UnknownReservation);
  });

  it('refuses a timeout that is not a duration from 1 ms to 100 years with InvalidOptionError', () => {
    const store = new MemoryQuotaStore([teamQuota()]);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, MAX_DURATION_MS + 1, '1000' as unknown as number]) {
      expect(() => new BudgetEnforcer({ store, storeTimeoutMs: bad })).toThrow(InvalidOptionError);
    }
    expect(() => new BudgetEnforcer({ store, storeTimeoutMs: 0 })).toThrow('Expected `storeTimeoutMs` to be a duration in ms from 1 to 3153600000000 (100 years), got 0 (number).');
  });

  it('waits as long as a storeTimeoutMs past 2^31 − 1 ms says, instead of Node turning it into 1 ms', async () => {
    const inner = new MemoryQuotaStore([teamQuota()]);
    const answerIn30ms: QuotaStore = { ...bind(inner), reserve: (scope, estimate, now) => new Promise((resolve) => setTimeout(() => resolve(inner.reserve(scope, estimate, now)), 30)) };
    const budget = new BudgetEnforcer({ store: answerIn30ms, clock: new ManualClock(1_000_000), storeTimeoutMs: 2 ** 31 });
    expect(await budget.reserve('team/research', { tokens: 10 })).toMatchObject({ granted: true });
  });

});

const fault = fc.constantFrom<Fault>('none', 'none', 'none', 'throw', 'reject', 'throw-after-applying', 'answer-late', 'never-answer', 'nonsense');
const step = fc.oneof(
  fc.record({ kind: fc.constant('reserve' as const), tokens: fc.integer({ min: 0, max: 600 }) }),
  fc.record({ kind: fc.constant('commit' as const), pick: fc.nat(), tokens: fc.integer({ min: 0, max: 600 }) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  // Late answers (a grant the enforcer gave up on, a commit it reported as not recorded) arrive here.
  fc.record({ kind: fc.constant('deliver-late' as const) }),
);

for (const kind of STORE_KINDS) {
  describe(`${STORE_NAMES[kind]} behind failing calls`, () => {
    let stores: PropertyStores | undefined;
    beforeAll(async () => {
      stores = await propertyStores(kind);
    });
    afterAll(() => stores?.close());
    // The memory store answers at once, so 1 ms is plenty; a store doing I/O gets 50 ms, and
    // a call that takes longer is one more store that did not answer in time.
    const storeTimeoutMs = kind === 'memory' ? 1 : 50;

    it('never allows what the limits would deny, whatever calls of the store fail and how', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fault, { maxLength: 40 }), fc.array(step, { maxLength: 25 }), async (faults, steps) => {
          const clock = new ManualClock(1_000_000);
          const { store: inner, scope } = await (stores as PropertyStores).fresh(teamQuota());
          const store = new FaultyStore(inner, faults);
          const budget = new BudgetEnforcer({ store, clock, storeTimeoutMs });
          const open: Reservation[] = [];
          for (const action of steps) {
            await store.quiet();
            if (action.kind === 'reserve') {
              const before = await inner.usage(scope, clock.now());
              const answer = await budget.reserve(scope, { tokens: action.tokens });
              if (answer.granted) {
                // A grant is only ever the store's own grant, and it fitted when it was made.
                expect(store.innerGrants.has(answer.id)).toBe(true);
                expect(before.committed.tokens + before.outstanding.tokens + action.tokens).toBeLessThanOrEqual(1000);
                open.push(answer);
              } else if (answer.reason === 'over-limit') {
                expect(before.committed.tokens + before.outstanding.tokens + action.tokens).toBeGreaterThan(1000);
              } else {
                expect(answer).toMatchObject({ reason: 'store-unavailable', used: null, requested: { tokens: action.tokens } });
              }
            } else if (action.kind === 'advance') {
              clock.advance(action.ms);
            } else if (action.kind === 'deliver-late') {
              await store.deliverLate();
            } else if (open.length > 0) {
              const [reservation] = open.splice(action.pick % open.length, 1);
              if (reservation === undefined) continue;
              const receipt = await (action.kind === 'commit' ? budget.commit(reservation, { tokens: action.tokens }) : budget.release(reservation));
              if (!receipt.recorded) expect(receipt.reason).toBe('store-unavailable');
            }
            const now = await inner.usage(scope, clock.now());
            expect(now.committed.tokens + now.outstanding.tokens).toBeLessThanOrEqual(1000 + now.overshoot.tokens);
          }
          await store.deliverLate();
        }),
        { numRuns: runsFor(kind, 120) },
      );
    });
  });
}
