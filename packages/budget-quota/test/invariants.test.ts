import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetEnforcer, ManualClock, MemoryQuotaStore, NaiveLimiter } from '../src/index.ts';
import type { Denial, QuotaSpec, QuotaStore, Reservation, Usage } from '../src/index.ts';
import { QuotaModel } from './support/model.ts';
import { teamQuota } from './support/quotas.ts';
import { STORE_KINDS, STORE_NAMES, propertyStores, runsFor } from './support/stores.ts';
import type { PropertyStores } from './support/stores.ts';

interface Real {
  readonly budget: BudgetEnforcer;
  readonly store: QuotaStore;
  readonly clock: ManualClock;
  readonly reservations: Map<string, Reservation>;
}

// Amounts large enough that two or three reservations reach any one limit (1000 tokens,
// 500 cents, 10 calls), so each dimension is often the one that binds.
const amount = fc.record({ tokens: fc.integer({ min: 0, max: 700 }), costMinor: fc.integer({ min: 0, max: 350 }), toolCalls: fc.integer({ min: 0, max: 7 }) });

async function checkAfter(model: QuotaModel, real: Real): Promise<void> {
  const now = real.clock.now();
  expect(model.holdsLimit(now)).toBe(true);
  const snapshot = await real.store.usage(model.spec.scope, now);
  expect(snapshot.outstanding).toEqual(model.outstanding(now));
  if (model.spec.window.type === 'fixed') {
    expect(snapshot.committed).toEqual(model.committed(now));
    expect(snapshot.overshoot).toEqual(model.overshoot(now));
  } else {
    // A rolling window may count a commit a little longer than exact, never shorter.
    expect(snapshot.committed.tokens).toBeGreaterThanOrEqual(model.committed(now).tokens);
  }
}

class ReserveCommand implements fc.AsyncCommand<QuotaModel, Real> {
  constructor(readonly estimate: Usage) {}
  check(): boolean {
    return true;
  }
  async run(model: QuotaModel, real: Real): Promise<void> {
    const now = real.clock.now();
    const fits = model.fits(this.estimate, now);
    const answer = await real.budget.reserve(model.spec.scope, this.estimate);
    if (model.spec.window.type === 'fixed') expect(answer.granted).toBe(fits);
    else if (answer.granted) expect(fits).toBe(true);
    if (answer.granted) {
      expect(answer.expiresAt).toBe(now + model.spec.leaseMs);
      model.reserved(answer.id, this.estimate, answer.expiresAt);
      real.reservations.set(answer.id, answer);
    } else {
      expect(answer.reason).toBe('over-limit');
    }
    await checkAfter(model, real);
  }
  toString(): string {
    return `reserve(${JSON.stringify(this.estimate)})`;
  }
}

class CommitCommand implements fc.AsyncCommand<QuotaModel, Real> {
  constructor(
    readonly pick: number,
    readonly actual: Usage,
  ) {}
  check(model: QuotaModel): boolean {
    return model.open().length > 0;
  }
  async run(model: QuotaModel, real: Real): Promise<void> {
    const open = model.open();
    const id = open[this.pick % open.length] ?? '';
    const expected = model.committedNow(id, this.actual, real.clock.now());
    const receipt = await real.budget.commit(real.reservations.get(id) as Reservation, this.actual);
    expect(receipt).toMatchObject({ recorded: true, overshoot: expected });
    await checkAfter(model, real);
  }
  toString(): string {
    return `commit(#${this.pick}, ${JSON.stringify(this.actual)})`;
  }
}

class ReleaseCommand implements fc.AsyncCommand<QuotaModel, Real> {
  constructor(readonly pick: number) {}
  check(model: QuotaModel): boolean {
    return model.open().length > 0;
  }
  async run(model: QuotaModel, real: Real): Promise<void> {
    const open = model.open();
    const id = open[this.pick % open.length] ?? '';
    model.released(id);
    expect(await real.budget.release(real.reservations.get(id) as Reservation)).toMatchObject({ recorded: true });
    await checkAfter(model, real);
  }
  toString(): string {
    return `release(#${this.pick})`;
  }
}

class AdvanceCommand implements fc.AsyncCommand<QuotaModel, Real> {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(model: QuotaModel, real: Real): Promise<void> {
    real.clock.advance(this.ms);
    await checkAfter(model, real);
  }
  toString(): string {
    return `advance(${this.ms} ms)`;
  }
}

const commands = fc.commands(
  [
    amount.map((estimate) => new ReserveCommand(estimate)),
    fc.tuple(fc.nat(), amount).map(([pick, actual]) => new CommitCommand(pick, actual)),
    fc.nat().map((pick) => new ReleaseCommand(pick)),
    fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 5_000, max: 150_000 })).map((ms) => new AdvanceCommand(ms)),
  ],
  { maxCommands: 50 },
);

function runModel(stores: () => PropertyStores, spec: QuotaSpec) {
  return fc.asyncProperty(commands, async (sequence) => {
    const clock = new ManualClock(1_700_000_000_000);
    const { store, scope } = await stores().fresh(spec);
    // A long timeout: a slow answer from a database on a busy machine is not what this property is about.
    const real: Real = { budget: new BudgetEnforcer({ store, clock, storeTimeoutMs: 60_000 }), store, clock, reservations: new Map() };
    await fc.asyncModelRun(() => ({ model: new QuotaModel({ ...spec, scope }), real }), sequence);
  });
}

// Concurrent callers whose store answers are delivered in an order fast-check chooses.
const callers = fc.array(fc.record({ estimate: fc.integer({ min: 1, max: 300 }), actual: fc.integer({ min: 0, max: 300 }), fails: fc.boolean() }), {
  minLength: 2,
  maxLength: 12,
});

for (const kind of STORE_KINDS) {
  describe(`${STORE_NAMES[kind]}: any interleaving`, () => {
    let stores: PropertyStores | undefined;
    beforeAll(async () => {
      stores = await propertyStores(kind);
    });
    afterAll(() => stores?.close());
    const opened = (): PropertyStores => stores as PropertyStores;

    it('keeps committed + outstanding within the limit plus recorded overshoot, matching an exact model (fixed window)', async () => {
      await fc.assert(runModel(opened, teamQuota({ window: { type: 'fixed', durationMs: 120_000 }, leaseMs: 30_000 })), { numRuns: runsFor(kind, 150) });
    });

    it('keeps committed + outstanding within the limit plus recorded overshoot, never granting what the exact rules deny (rolling window)', async () => {
      await fc.assert(runModel(opened, teamQuota({ window: { type: 'rolling', durationMs: 90_000 }, leaseMs: 30_000 })), { numRuns: runsFor(kind, 150) });
    });

    it('never lets concurrent callers of BudgetEnforcer, their store answers delivered in any order, spend past the limit plus the overshoot they were told of', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), callers, async (s, plans) => {
          const { store: inner, scope } = await opened().fresh(teamQuota({ limits: { tokens: 600 } }));
          const store: QuotaStore = {
            quota: (name: string) => inner.quota(name),
            reserve: (name: string, estimate: Usage, now: number) => s.schedule(Promise.resolve(), 'reserve').then(() => inner.reserve(name, estimate, now)),
            commit: (name: string, id: string, actual: Usage, now: number) => s.schedule(Promise.resolve(), 'commit').then(() => inner.commit(name, id, actual, now)),
            release: (name: string, id: string, now: number) => s.schedule(Promise.resolve(), 'release').then(() => inner.release(name, id, now)),
            usage: (name: string, now: number) => inner.usage(name, now),
            updateQuota: (spec: QuotaSpec) => inner.updateQuota(spec),
          };
          const budget = new BudgetEnforcer({ store, clock: new ManualClock(0), storeTimeoutMs: 60_000 });
          let overshoot = 0;
          const runs = plans.map((plan) =>
            budget
              .guard(scope, { tokens: plan.estimate }, async () => {
                await s.schedule(Promise.resolve(), 'work');
                if (plan.fails) throw new Error('work failed');
                return { value: null, actual: { tokens: plan.actual } };
              })
              .then((result) => {
                if (result.granted && result.receipt.recorded) overshoot += result.receipt.overshoot.tokens;
              }, () => undefined),
          );
          await s.waitFor(Promise.all(runs));
          const final = await inner.usage(scope, 0);
          expect(final.outstanding.tokens).toBe(0);
          expect(final.committed.tokens).toBeLessThanOrEqual(600 + overshoot);
          expect(final.overshoot.tokens).toBe(overshoot);
        }),
        { numRuns: runsFor(kind, 200) },
      );
    });
  });
}

describe('the naive limiter, under the same concurrent callers', () => {
  it('finds an order in which the naive check-then-act limiter spends past its limit', async () => {
    const naiveNeverOverspends = fc.asyncProperty(fc.scheduler(), callers, async (s, plans) => {
      const naive = new NaiveLimiter(600, () => s.schedule(Promise.resolve(), 'read'));
      const runs = plans.map((plan) =>
        naive.guard(plan.estimate, async () => {
          await s.schedule(Promise.resolve(), 'work');
          // The actual equals the estimate: any spend past the limit is the limiter's fault.
          return { value: null, actual: plan.estimate };
        }),
      );
      await s.waitFor(Promise.all(runs));
      expect(naive.spent).toBeLessThanOrEqual(600);
    });
    await expect(fc.assert(naiveNeverOverspends, { numRuns: 200 })).rejects.toThrow(/Property failed/);
  });
});

describe('the same burst against both limiters', () => {
  it('lets 50 simultaneous callers overspend the naive limiter fivefold, and BudgetEnforcer not at all', async () => {
    const work = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return { value: null, actual: 100 };
    };
    const naive = new NaiveLimiter(1_000);
    const naiveRuns = await Promise.all(Array.from({ length: 50 }, () => naive.guard(100, work)));
    expect(naiveRuns.filter((run) => run.allowed)).toHaveLength(50);
    expect(naive.spent).toBe(5_000);

    const store = new MemoryQuotaStore([teamQuota({ limits: { tokens: 1_000 } })]);
    const budget = new BudgetEnforcer({ store });
    const ours = await Promise.all(
      Array.from({ length: 50 }, () => budget.guard('team/research', { tokens: 100 }, async () => ({ ...(await work()), actual: { tokens: 100 } }))),
    );
    expect(ours.filter((run) => run.granted)).toHaveLength(10);
    expect(ours.filter((run): run is Denial => !run.granted).every((denial) => denial.reason === 'over-limit')).toBe(true);
    expect(store.usage('team/research', Date.now()).committed.tokens).toBe(1_000);
  });
});
