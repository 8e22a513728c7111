import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BudgetEnforcer, ManualClock, MemoryQuotaStore, StoreAnswerInvalid, UnknownScope, validateCommitReceipt, validateReleaseReceipt, validateReservation } from '../src/index.ts';
import type { QuotaSpec, QuotaStore, Usage } from '../src/index.ts';
import { teamQuota } from './support/quotas.ts';

const SCOPE = 'team/research';
const NOW = 1_000_000;
const ESTIMATE: Usage = { tokens: 100, costMinor: 0, toolCalls: 1 };
const GOOD = { granted: true, scope: SCOPE, id: '5f0c4a4e-2b7e-4c0e-9a55-0d7c1c0b6f3e', estimate: ESTIMATE, expiresAt: NOW + 60_000 };

/** A store that answers every call with whatever the test gives it, and counts the calls. */
function answering(reserve: unknown, record: unknown = undefined): QuotaStore & { calls: number } {
  const quota: QuotaSpec = teamQuota();
  return {
    calls: 0,
    quota: () => quota,
    reserve() {
      this.calls++;
      return reserve as never;
    },
    commit: () => record as never,
    release: () => record as never,
    usage: () => {
      throw new Error('not used');
    },
    updateQuota: () => undefined,
  };
}

const NONSENSE_GRANTS: readonly (readonly [string, unknown, string])[] = [
  ['only granted: true', { granted: true }, 'scope is undefined, expected "team/research"'],
  ['another scope', { ...GOOD, scope: 'team/other' }, 'scope is "team/other" (string), expected "team/research"'],
  ['no id', { ...GOOD, id: undefined }, 'id is undefined, expected a non-empty string'],
  ['an empty id', { ...GOOD, id: '' }, 'id is "" (string), expected a non-empty string'],
  ['a numeric id', { ...GOOD, id: 7 }, 'id is 7 (number), expected a non-empty string'],
  ['less held than asked', { ...GOOD, estimate: { tokens: 10, costMinor: 0, toolCalls: 1 } }, 'estimate.tokens is 10 (number), expected 100'],
  ['no estimate', { ...GOOD, estimate: undefined }, 'estimate is undefined, expected the amounts asked for'],
  ['a lease already over', { ...GOOD, expiresAt: NOW }, `expiresAt is ${NOW} (number), expected a whole number of ms after ${NOW}`],
  ['a lease that ends at NaN', { ...GOOD, expiresAt: Number.NaN }, 'expiresAt is NaN (number)'],
  ['a fractional expiry', { ...GOOD, expiresAt: NOW + 0.5 }, `expiresAt is ${NOW + 0.5} (number)`],
  ['granted: "yes"', { ...GOOD, granted: 'yes' }, 'granted is "yes" (string), expected true or false'],
  ['null', null, 'the answer is null, expected an object'],
  ['a number', 1, 'the answer is 1 (number), expected an object'],
];

describe('answers of a quota store', () => {
  it.each(NONSENSE_GRANTS)('denies (fail closed), and never runs the work, when a grant has %s', async (_name, answer, problem) => {
    const store = answering(answer);
    const budget = new BudgetEnforcer({ store, clock: new ManualClock(NOW) });
    let ran = false;
    const result = await budget.guard(SCOPE, ESTIMATE, async () => {
      ran = true;
      return { value: null, actual: ESTIMATE };
    });
    expect(ran).toBe(false);
    expect(result).toMatchObject({ granted: false, reason: 'store-unavailable', scope: SCOPE, used: null, requested: ESTIMATE });
    expect(result.granted ? '' : result.message).toContain(`the quota store answered nonsense to reserve: ${problem}`);
  });

  it('replaces a denial that is not well formed with one of its own, so a caller always gets scope, limit and message', async () => {
    const budget = new BudgetEnforcer({ store: answering({ granted: false }), clock: new ManualClock(NOW) });
    const result = await budget.reserve(SCOPE, ESTIMATE);
    expect(result).toMatchObject({ granted: false, reason: 'store-unavailable', scope: SCOPE, limit: { tokens: 1000 }, requested: ESTIMATE });
    expect(result.granted ? '' : result.message).toContain('the quota store answered nonsense to reserve: reason is undefined, expected "over-limit"');
  });

  it('passes a well-formed over-limit denial through unchanged', async () => {
    const inner = new MemoryQuotaStore([teamQuota()]);
    const denial = inner.reserve(SCOPE, { tokens: 2000, costMinor: 0, toolCalls: 0 }, NOW);
    const budget = new BudgetEnforcer({ store: answering(denial), clock: new ManualClock(NOW) });
    expect(await budget.reserve(SCOPE, { tokens: 2000 })).toBe(denial);
  });

  it('reports a commit or release as not recorded when the receipt is not one for that reservation and amount', async () => {
    const budget = new BudgetEnforcer({ store: answering(GOOD, { recorded: true }), clock: new ManualClock(NOW) });
    const reservation = await budget.reserve(SCOPE, ESTIMATE);
    if (!reservation.granted) throw new Error(reservation.message);
    const commit = await budget.commit(reservation, ESTIMATE);
    const release = await budget.release(reservation);
    expect(commit).toMatchObject({ recorded: false, reason: 'store-unavailable' });
    expect(commit.recorded ? '' : commit.message).toContain('the quota store answered nonsense to commit: scope is undefined, expected "team/research"');
    expect(release).toMatchObject({ recorded: false, reason: 'store-unavailable' });
  });

  it('grants only answers that hold exactly what was asked, in that scope, until a time after now', async () => {
    const field = fc.constantFrom('granted', 'scope', 'id', 'estimate', 'expiresAt');
    const value = fc.oneof(fc.anything(), fc.integer(), fc.double(), fc.string(), fc.record({ tokens: fc.integer({ min: 0, max: 200 }), costMinor: fc.constant(0), toolCalls: fc.constant(1) }));
    await fc.assert(
      fc.asyncProperty(field, value, async (key, replacement) => {
        const answer = { ...GOOD, [key]: replacement };
        const result = await new BudgetEnforcer({ store: answering(answer), clock: new ManualClock(NOW) }).reserve(SCOPE, ESTIMATE);
        if (!result.granted) return;
        expect(result.scope).toBe(SCOPE);
        expect(typeof result.id === 'string' && result.id.length > 0).toBe(true);
        expect({ ...result.estimate }).toEqual(ESTIMATE);
        expect(Number.isSafeInteger(result.expiresAt) && result.expiresAt > NOW).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('validateReservation, validateCommitReceipt, validateReleaseReceipt', () => {
  const request = { scope: SCOPE, estimate: ESTIMATE, now: NOW };

  it('returns a well-formed grant or denial as it is', () => {
    expect(validateReservation(GOOD, request)).toBe(GOOD);
    const denial = new MemoryQuotaStore([teamQuota()]).reserve(SCOPE, { tokens: 2000, costMinor: 0, toolCalls: 0 }, NOW);
    expect(validateReservation(denial, { ...request, estimate: { tokens: 2000, costMinor: 0, toolCalls: 0 } })).toBe(denial);
  });

  it('throws StoreAnswerInvalid naming the operation and the first problem', () => {
    expect(() => validateReservation({ ...GOOD, expiresAt: NOW - 1 }, request)).toThrow(StoreAnswerInvalid);
    expect(() => validateReservation({ ...GOOD, expiresAt: NOW - 1 }, request)).toThrow(
      `the quota store answered nonsense to reserve: expiresAt is ${NOW - 1} (number), expected a whole number of ms after ${NOW} (a lease that has not ended)`,
    );
  });

  it('checks a commit receipt against the reservation and the amount committed', () => {
    const store = new MemoryQuotaStore([teamQuota()]);
    const reservation = store.reserve(SCOPE, ESTIMATE, NOW);
    if (!reservation.granted) throw new Error(reservation.message);
    const receipt = store.commit(SCOPE, reservation.id, { tokens: 150, costMinor: 0, toolCalls: 1 }, NOW);
    const commitRequest = { scope: SCOPE, reservationId: reservation.id, actual: { tokens: 150, costMinor: 0, toolCalls: 1 } };
    expect(validateCommitReceipt(receipt, commitRequest)).toBe(receipt);
    expect(() => validateCommitReceipt({ ...receipt, actual: ESTIMATE }, commitRequest)).toThrow('actual.tokens is 100 (number), expected 150');
    expect(() => validateCommitReceipt({ ...receipt, overshoot: { tokens: 151, costMinor: 0, toolCalls: 0 } }, commitRequest)).toThrow(
      'overshoot.tokens is 151 (number), expected a whole number from 0 to actual.tokens (150)',
    );
    expect(() => validateCommitReceipt({ ...receipt, overshot: false }, commitRequest)).toThrow('overshot is false (boolean), expected true (overshoot is above 0)');
    expect(() => validateReleaseReceipt({ recorded: true, scope: SCOPE, reservationId: 'other', late: false }, { scope: SCOPE, reservationId: reservation.id })).toThrow(
      `reservationId is "other" (string), expected "${reservation.id}"`,
    );
  });
});

describe('the quota a store answers', () => {
  function withQuota(quota: () => unknown): QuotaStore & { calls: number } {
    const store = answering(GOOD);
    store.quota = quota as QuotaStore['quota'];
    return store;
  }

  it('denies (fail closed) when store.quota() throws, with the limit unknown, and asks nothing else', async () => {
    const store = withQuota(() => {
      throw new Error('quota table unreachable');
    });
    const result = await new BudgetEnforcer({ store, clock: new ManualClock(NOW) }).reserve(SCOPE, ESTIMATE);
    expect(result).toMatchObject({ granted: false, reason: 'store-unavailable', scope: SCOPE, limit: null, currency: undefined, used: null, requested: ESTIMATE });
    expect(result.granted ? '' : result.message).toBe(
      'budget denied for team/research (fail closed): quota table unreachable; limit unknown, used unknown, asked 100 tokens, 0 minor units, 1 tool call',
    );
    expect(store.calls).toBe(0);
  });

  it('denies (fail closed) when store.quota() answers something that is not a quota for the scope', async () => {
    for (const [quota, problem] of [
      [7, 'the quota of team/research is 7 (number), expected a QuotaSpec'],
      [teamQuota({ scope: 'team/other' }), 'the quota of team/research is for scope "team/other"'],
      [{ ...teamQuota(), leaseMs: -5 }, 'Quota for scope "team/research": leaseMs must be a whole number of ms from 1 to 3153600000000 (100 years), got -5'],
    ] as const) {
      const store = withQuota(() => quota);
      const result = await new BudgetEnforcer({ store, clock: new ManualClock(NOW) }).reserve(SCOPE, ESTIMATE);
      expect(result).toMatchObject({ granted: false, reason: 'store-unavailable', limit: null });
      expect(result.granted ? '' : result.message).toContain(problem);
      expect(store.calls).toBe(0);
    }
  });

  it('still throws UnknownScope, the caller’s mistake, when the store has no quota for the scope', async () => {
    await expect(new BudgetEnforcer({ store: withQuota(() => undefined) }).reserve(SCOPE, ESTIMATE)).rejects.toThrow(UnknownScope);
  });
});
