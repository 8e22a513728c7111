import { describe, expect, it } from 'vitest';
import {
  BudgetEnforcer,
  InvalidAmount,
  InvalidQuotaSpec,
  LATE_COMMIT_WINDOW_MS,
  ManualClock,
  MemoryQuotaStore,
  RECEIPT_RETENTION_SETTLEMENTS,
  ReservationSettled,
  UnknownReservation,
  UnknownScope,
} from '../src/index.ts';
import { formatMinorUnits } from '../src/usage.ts';
import type { QuotaSpec, Reservation } from '../src/index.ts';
import { teamQuota } from './support/quotas.ts';

function setup(quota: QuotaSpec = teamQuota(), start = 1_000_000) {
  const clock = new ManualClock(start);
  const store = new MemoryQuotaStore([quota]);
  const budget = new BudgetEnforcer({ store, clock });
  const usage = () => store.usage(quota.scope, clock.now());
  return { clock, store, budget, usage };
}

async function granted(result: Promise<Reservation | { granted: false; message: string }>): Promise<Reservation> {
  const answer = await result;
  if (!answer.granted) throw new Error(`expected a grant, got: ${answer.message}`);
  return answer;
}

describe('reserve, commit, release', () => {
  it('grants reservations until the next one would pass the limit, then denies it naming scope, limit, used and asked', async () => {
    const { budget } = setup();
    await granted(budget.reserve('team/research', { tokens: 600 }));
    await granted(budget.reserve('team/research', { tokens: 300 }));
    const denial = await budget.reserve('team/research', { tokens: 200, costMinor: 50 });
    expect(denial).toMatchObject({
      granted: false,
      reason: 'over-limit',
      scope: 'team/research',
      limit: { tokens: 1000, costMinor: 500, toolCalls: 10 },
      used: { tokens: 900, costMinor: 0, toolCalls: 0 },
      requested: { tokens: 200, costMinor: 50, toolCalls: 0 },
      exceeded: ['tokens'],
    });
    expect(denial.granted ? '' : denial.message).toBe('budget denied for team/research: 900 tokens used + 200 tokens asked > 1000 tokens limit');
  });

  it('names every dimension that would pass its limit, with money in the currency', async () => {
    const { budget } = setup();
    await granted(budget.reserve('team/research', { costMinor: 480, toolCalls: 9 }));
    const denial = await budget.reserve('team/research', { costMinor: 25, toolCalls: 2 });
    expect(denial.granted).toBe(false);
    expect(denial.granted ? [] : denial.exceeded).toEqual(['costMinor', 'toolCalls']);
    expect(denial.granted ? '' : denial.message).toBe(
      'budget denied for team/research: 4.80 EUR used + 0.25 EUR asked > 5.00 EUR limit; 9 tool calls used + 2 tool calls asked > 10 tool calls limit',
    );
  });

  it('returns the unused part of an estimate when the actual is smaller', async () => {
    const { budget, usage } = setup();
    const reservation = await granted(budget.reserve('team/research', { tokens: 800, toolCalls: 1 }));
    expect(usage().outstanding).toEqual({ tokens: 800, costMinor: 0, toolCalls: 1 });
    const receipt = await budget.commit(reservation, { tokens: 650, toolCalls: 1 });
    expect(receipt).toMatchObject({ recorded: true, overshot: false, late: false, overshoot: { tokens: 0, costMinor: 0, toolCalls: 0 } });
    expect(usage()).toMatchObject({ committed: { tokens: 650, toolCalls: 1 }, outstanding: { tokens: 0, toolCalls: 0 }, reservations: 0 });
    await granted(budget.reserve('team/research', { tokens: 350 }));
  });

  it('gives the whole estimate back on release', async () => {
    const { budget, usage } = setup();
    const reservation = await granted(budget.reserve('team/research', { tokens: 1000 }));
    expect((await budget.reserve('team/research', { tokens: 1 })).granted).toBe(false);
    expect(await budget.release(reservation)).toMatchObject({ recorded: true, late: false });
    expect(usage()).toMatchObject({ committed: { tokens: 0 }, outstanding: { tokens: 0 } });
    await granted(budget.reserve('team/research', { tokens: 1000 }));
  });

  it('records a commit above its estimate as overshoot that later reservations see', async () => {
    const { budget, usage } = setup();
    const reservation = await granted(budget.reserve('team/research', { tokens: 500, costMinor: 100 }));
    const receipt = await budget.commit(reservation, { tokens: 700, costMinor: 100 });
    expect(receipt).toMatchObject({ recorded: true, overshot: true, late: false, overshoot: { tokens: 200, costMinor: 0, toolCalls: 0 } });
    expect(usage()).toMatchObject({ committed: { tokens: 700 }, overshoot: { tokens: 200 } });
    expect((await budget.reserve('team/research', { tokens: 301 })).granted).toBe(false);
    await granted(budget.reserve('team/research', { tokens: 300 }));
  });

  it('counts a reservation committed twice with the same usage once, and refuses other usage or a release after it', async () => {
    const { budget, usage } = setup();
    const reservation = await granted(budget.reserve('team/research', { tokens: 10 }));
    const first = await budget.commit(reservation, { tokens: 10 });
    expect(await budget.commit(reservation, { tokens: 10 })).toBe(first);
    await expect(budget.commit(reservation, { tokens: 11 })).rejects.toThrow(ReservationSettled);
    await expect(budget.release(reservation)).rejects.toThrow(/was already committed with 10 tokens, 0\.00 EUR, 0 tool calls; a release is refused/);
    expect(usage()).toMatchObject({ committed: { tokens: 10 }, outstanding: { tokens: 0 } });
  });
});

describe('receipts of settled reservations', () => {
  it('answers a repeat for at least RECEIPT_RETENTION_SETTLEMENTS settlements of the scope, and forgets it within twice that', () => {
    const store = new MemoryQuotaStore([teamQuota({ limits: { tokens: 1_000_000 } })]);
    const settle = (): void => {
      const answer = store.reserve('team/research', { tokens: 1, costMinor: 0, toolCalls: 0 }, 1_000_000);
      if (answer.granted) store.release('team/research', answer.id, 1_000_000);
    };
    const watched = store.reserve('team/research', { tokens: 1, costMinor: 0, toolCalls: 0 }, 1_000_000);
    if (!watched.granted) throw new Error(watched.message);
    const first = store.release('team/research', watched.id, 1_000_000);
    for (let settled = 1; settled < RECEIPT_RETENTION_SETTLEMENTS; settled++) settle();
    expect(store.release('team/research', watched.id, 1_000_000)).toBe(first);
    for (let settled = 0; settled < RECEIPT_RETENTION_SETTLEMENTS + 1; settled++) settle();
    expect(() => store.release('team/research', watched.id, 1_000_000)).toThrow(UnknownReservation);
  });
});

describe('leases', () => {
  it('returns a crashed caller’s budget when its lease expires, and not a millisecond before', async () => {
    const { budget, clock, usage } = setup();
    await granted(budget.reserve('team/research', { tokens: 1000 }));
    clock.advance(59_999);
    expect((await budget.reserve('team/research', { tokens: 1 })).granted).toBe(false);
    clock.advance(1);
    expect(usage()).toMatchObject({ outstanding: { tokens: 0 }, reservations: 0 });
    await granted(budget.reserve('team/research', { tokens: 1000 }));
  });

  it('records a commit after the lease expired as late, with all of it counted as overshoot', async () => {
    const { budget, clock, usage } = setup();
    const reservation = await granted(budget.reserve('team/research', { tokens: 400 }));
    clock.advance(60_000);
    const receipt = await budget.commit(reservation, { tokens: 300 });
    expect(receipt).toMatchObject({ recorded: true, late: true, overshot: true, overshoot: { tokens: 300 } });
    expect(usage()).toMatchObject({ committed: { tokens: 300 }, overshoot: { tokens: 300 }, outstanding: { tokens: 0 } });
    expect(await budget.commit(reservation, { tokens: 300 })).toBe(receipt);
    expect(usage()).toMatchObject({ committed: { tokens: 300 } });
  });

  it('accepts a release after expiry as late without returning the budget twice', async () => {
    const { budget, clock, usage } = setup();
    const reservation = await granted(budget.reserve('team/research', { tokens: 400 }));
    await granted(budget.reserve('team/research', { tokens: 100 }));
    clock.advance(60_000);
    await granted(budget.reserve('team/research', { tokens: 200 }));
    expect(await budget.release(reservation)).toMatchObject({ recorded: true, late: true });
    expect(usage().outstanding.tokens).toBe(200);
  });

  it('forgets an expired lease 24 hours after it expired, so a commit then is refused as unknown', async () => {
    const { budget, clock } = setup(teamQuota({ window: { type: 'fixed', durationMs: 60_000 } }));
    const reservation = await granted(budget.reserve('team/research', { tokens: 400 }));
    clock.advance(60_000 + LATE_COMMIT_WINDOW_MS - 1);
    await budget.reserve('team/research', { tokens: 1 });
    const kept = await granted(budget.reserve('team/research', { tokens: 1 }));
    clock.advance(1);
    await expect(budget.commit(reservation, { tokens: 1 })).rejects.toThrow(UnknownReservation);
    expect(await budget.commit(kept, { tokens: 1 })).toMatchObject({ recorded: true, late: false });
  });

  it('never lets time run backwards: a clock that jumps back does not revive an expired lease', async () => {
    const { budget, clock, usage } = setup();
    await granted(budget.reserve('team/research', { tokens: 1000 }));
    clock.advance(60_000);
    await granted(budget.reserve('team/research', { tokens: 1000 }));
    clock.set(clock.now() - 30_000);
    expect(usage()).toMatchObject({ outstanding: { tokens: 1000 }, reservations: 1 });
    expect((await budget.reserve('team/research', { tokens: 1 })).granted).toBe(false);
  });
});

describe('windows', () => {
  it('resets a fixed window at the boundary aligned to the epoch, keeping outstanding leases', async () => {
    const hour = 3_600_000;
    const { budget, clock, usage } = setup(teamQuota({ leaseMs: 2 * hour }), 10 * hour + hour - 1000);
    const spent = await granted(budget.reserve('team/research', { tokens: 600 }));
    await budget.commit(spent, { tokens: 600 });
    const held = await granted(budget.reserve('team/research', { tokens: 300 }));
    expect((await budget.reserve('team/research', { tokens: 101 })).granted).toBe(false);
    clock.advance(1000);
    expect(usage()).toMatchObject({ windowStart: 11 * hour, committed: { tokens: 0 }, outstanding: { tokens: 300 } });
    await granted(budget.reserve('team/research', { tokens: 700 }));
    expect(await budget.commit(held, { tokens: 300 })).toMatchObject({ recorded: true, late: false });
  });

  it('keeps counting a commit in a rolling window for the whole window, then lets it go', async () => {
    const { budget, clock, usage } = setup(teamQuota({ window: { type: 'rolling', durationMs: 60_000 } }));
    const reservation = await granted(budget.reserve('team/research', { tokens: 1000 }));
    await budget.commit(reservation, { tokens: 1000 });
    clock.advance(59_999);
    expect((await budget.reserve('team/research', { tokens: 1 })).granted).toBe(false);
    clock.advance(1001 + 1000);
    expect(usage().committed.tokens).toBe(0);
    await granted(budget.reserve('team/research', { tokens: 1000 }));
  });
});

describe('bad input', () => {
  it('throws InvalidAmount naming the field for a negative, fractional or unsafe amount', async () => {
    const { budget } = setup();
    await expect(budget.reserve('team/research', { tokens: -1 })).rejects.toThrow(
      'Expected `estimate.tokens` to be an integer from 0 to 9007199254740991, got -1 (number).',
    );
    await expect(budget.reserve('team/research', { costMinor: 12.5 })).rejects.toThrow(InvalidAmount);
    await expect(budget.reserve('team/research', { toolCalls: 2 ** 53 })).rejects.toThrow(/estimate\.toolCalls/);
    const reservation = await granted(budget.reserve('team/research', { tokens: 1 }));
    await expect(budget.commit(reservation, { costMinor: Number.NaN })).rejects.toThrow(/`actual\.costMinor`.*NaN/);
  });

  it('throws UnknownScope for a scope without a quota instead of allowing it', async () => {
    const { budget } = setup();
    await expect(budget.reserve('team/unknown', { tokens: 1 })).rejects.toThrow(UnknownScope);
    await expect(budget.reserve('team/unknown', { tokens: 1 })).rejects.toThrow(/No quota is configured for scope "team\/unknown"/);
  });

  it('refuses a quota that cannot be enforced, naming the field', () => {
    expect(() => new MemoryQuotaStore([teamQuota({ limits: {} })])).toThrow(InvalidQuotaSpec);
    expect(() => new MemoryQuotaStore([teamQuota({ limits: { tokens: -5 } })])).toThrow(/limits\.tokens must be an integer/);
    expect(() => new MemoryQuotaStore([{ ...teamQuota(), currency: 'euro' }])).toThrow(/currency must be an ISO 4217 code/);
    expect(() => new MemoryQuotaStore([teamQuota({ leaseMs: 0 })])).toThrow('Quota for scope "team/research": leaseMs must be a whole number of ms from 1 to 3153600000000 (100 years), got 0.');
    expect(() => new MemoryQuotaStore([teamQuota({ window: { type: 'fixed', durationMs: 0.5 } })])).toThrow(/window\.durationMs/);
    expect(() => new MemoryQuotaStore([teamQuota(), teamQuota()])).toThrow('Quota for scope "team/research": scope is configured twice; give each scope one quota.');
  });
});

describe('money', () => {
  it('formats integer minor units with each currency’s ISO 4217 exponent', () => {
    expect(formatMinorUnits(5000, 'EUR')).toBe('50.00');
    expect(formatMinorUnits(7, 'USD')).toBe('0.07');
    expect(formatMinorUnits(1234, 'JPY')).toBe('1234');
    expect(formatMinorUnits(1234, 'KWD')).toBe('1.234');
    expect(formatMinorUnits(Number.MAX_SAFE_INTEGER, 'EUR')).toBe('90071992547409.91');
  });
});
