// What every QuotaStore must do, as a suite any store can run: call
// `describeQuotaStoreConformance(name, open)` from a test file with a function that opens a
// fresh, empty store. The memory and file stores run it (test/conformance.test.ts); a store
// on another backend (PostgreSQL, a remote service) proves itself the same way.
import { ClockReadingInvalid } from '@12-factor-agentops/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidAmount,
  InvalidQuotaSpec,
  LATE_COMMIT_WINDOW_MS,
  RECEIPT_RETENTION_MS,
  ReservationSettled,
  UnknownReservation,
  UnknownScope,
  validateCommitReceipt,
  validateReleaseReceipt,
  validateReservation,
} from '../../src/index.ts';
import type { QuotaSpec, QuotaStore, Reservation, Usage, UsageSnapshot } from '../../src/index.ts';

/** A store opened for one test. */
export interface StoreUnderTest {
  readonly store: QuotaStore;
  /** Opens another store over the same durable state (a restart); omitted for a store that keeps state in memory only. */
  readonly reopen?: () => Promise<QuotaStore>;
  /** Closes everything the test opened. */
  close(): Promise<void>;
}

/** Opens a fresh, empty store enforcing `quotas`. */
export type OpenStore = (quotas: readonly QuotaSpec[]) => Promise<StoreUnderTest>;

const SCOPE = 'team/conformance';
const OTHER = 'team/other';
const NOW = 1_700_000_000_000;
const LEASE_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function quota(overrides: Partial<QuotaSpec> = {}): QuotaSpec {
  return {
    scope: SCOPE,
    limits: { tokens: 1000, costMinor: 500, toolCalls: 10 },
    currency: 'EUR',
    window: { type: 'fixed', durationMs: 86_400_000 },
    leaseMs: LEASE_MS,
    ...overrides,
  };
}

function amount(tokens: number, costMinor = 0, toolCalls = 0): Usage {
  return { tokens, costMinor, toolCalls };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/** Runs the QuotaStore conformance suite against the stores `open` returns. */
export function describeQuotaStoreConformance(name: string, open: OpenStore): void {
  describe(`${name} conforms to QuotaStore`, () => {
    let opened: StoreUnderTest | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });

    async function start(quotas: readonly QuotaSpec[] = [quota(), quota({ scope: OTHER })]): Promise<StoreUnderTest> {
      opened = await open(quotas);
      return opened;
    }

    async function grant(store: QuotaStore, tokens: number, now = NOW, scope = SCOPE): Promise<Reservation> {
      const answer = validateReservation(await store.reserve(scope, amount(tokens), now), { scope, estimate: amount(tokens), now });
      if (!answer.granted) throw new Error(answer.message);
      return answer;
    }

    async function usage(store: QuotaStore, now = NOW): Promise<UsageSnapshot> {
      return store.usage(SCOPE, now);
    }

    describe('reserve', () => {
      it('grants what fits with a well-formed answer: the estimate asked, a lease of leaseMs from the time given', async () => {
        const { store } = await start();
        const reservation = await grant(store, 400);
        expect(reservation).toMatchObject({ granted: true, scope: SCOPE, estimate: amount(400), expiresAt: NOW + LEASE_MS });
        expect(await usage(store)).toMatchObject({ outstanding: amount(400), committed: amount(0), reservations: 1 });
      });

      it('denies what does not fit with a well-formed over-limit denial naming used and asked, and holds nothing for it', async () => {
        const { store } = await start();
        await grant(store, 700);
        const denial = validateReservation(await store.reserve(SCOPE, amount(301), NOW), { scope: SCOPE, estimate: amount(301), now: NOW });
        expect(denial).toMatchObject({ granted: false, reason: 'over-limit', used: amount(700), requested: amount(301), exceeded: ['tokens'] });
        expect(await usage(store)).toMatchObject({ outstanding: amount(700), reservations: 1 });
      });

      it('gives every reservation a random UUID, so no caller can guess another one’s id', async () => {
        const { store } = await start([quota({ limits: { tokens: 1_000_000 } })]);
        const ids = await Promise.all(Array.from({ length: 200 }, () => grant(store, 1).then((reservation) => reservation.id)));
        expect(ids.every((id) => UUID.test(id))).toBe(true);
        expect(new Set(ids).size).toBe(200);
      });

      it('refuses a scope it has no quota for with UnknownScope', async () => {
        const { store } = await start();
        await expect(Promise.resolve().then(() => store.reserve('team/nobody', amount(1), NOW))).rejects.toThrow(UnknownScope);
      });
    });

    describe('commit and release', () => {
      it('records a commit with a receipt for that reservation and amount; what passed the estimate is overshoot', async () => {
        const { store } = await start();
        const reservation = await grant(store, 300);
        const request = { scope: SCOPE, reservationId: reservation.id, actual: amount(350, 20) };
        const receipt = validateCommitReceipt(await store.commit(SCOPE, reservation.id, amount(350, 20), NOW + 1), request);
        expect(receipt).toMatchObject({ overshoot: amount(50, 20), overshot: true, late: false });
        expect(await usage(store, NOW + 1)).toMatchObject({ committed: amount(350, 20), overshoot: amount(50, 20), outstanding: amount(0), reservations: 0 });
      });

      it('answers a repeated commit with the same usage with its first receipt, and counts it once', async () => {
        const { store } = await start();
        const reservation = await grant(store, 300);
        const first = await store.commit(SCOPE, reservation.id, amount(250), NOW + 1);
        const again = await store.commit(SCOPE, reservation.id, amount(250), NOW + 2);
        expect(again).toEqual(first);
        expect(await usage(store, NOW + 2)).toMatchObject({ committed: amount(250), outstanding: amount(0) });
      });

      it('answers a repeated commit with its first receipt even after the lease ended, and for at least RECEIPT_RETENTION_MS', async () => {
        const { store } = await start();
        const reservation = await grant(store, 300);
        const first = await store.commit(SCOPE, reservation.id, amount(250), NOW + 1);
        expect(await store.commit(SCOPE, reservation.id, amount(250), NOW + 1 + RECEIPT_RETENTION_MS)).toEqual(first);
        expect(await usage(store, NOW + 1 + RECEIPT_RETENTION_MS)).toMatchObject({ committed: amount(250) });
      });

      it('refuses a repeated commit with other usage with ReservationSettled, and changes nothing', async () => {
        const { store } = await start();
        const reservation = await grant(store, 300);
        await store.commit(SCOPE, reservation.id, amount(250), NOW);
        const before = await usage(store);
        await expect(Promise.resolve().then(() => store.commit(SCOPE, reservation.id, amount(260), NOW))).rejects.toThrow(
          `Reservation ${reservation.id} in scope "${SCOPE}" was already committed with 250 tokens, 0.00 EUR, 0 tool calls; ` +
            'a commit with 260 tokens, 0.00 EUR, 0 tool calls is refused. A retry must repeat the same usage; for more work, reserve again.',
        );
        expect(await usage(store)).toEqual(before);
      });

      it('answers a repeated release with its first receipt; refuses a release after a commit and a commit after a release', async () => {
        const { store } = await start();
        const released = await grant(store, 100);
        const committed = await grant(store, 200);
        const first = validateReleaseReceipt(await store.release(SCOPE, released.id, NOW), { scope: SCOPE, reservationId: released.id });
        expect(await store.release(SCOPE, released.id, NOW + 1)).toEqual(first);
        await store.commit(SCOPE, committed.id, amount(200), NOW);
        const before = await usage(store, NOW + 1);
        await expect(Promise.resolve().then(() => store.commit(SCOPE, released.id, amount(100), NOW + 1))).rejects.toThrow(ReservationSettled);
        await expect(Promise.resolve().then(() => store.commit(SCOPE, released.id, amount(100), NOW + 1))).rejects.toThrow(/was already released; a commit is refused/);
        await expect(Promise.resolve().then(() => store.release(SCOPE, committed.id, NOW + 1))).rejects.toThrow(/was already committed with 200 tokens.*; a release is refused/);
        expect(await usage(store, NOW + 1)).toEqual(before);
      });

      it('refuses an id it never issued, or one issued in another scope, with UnknownReservation, and changes nothing', async () => {
        const { store } = await start();
        const mine = await grant(store, 300);
        const before = await usage(store);
        for (const id of ['r1', '00000000-0000-4000-8000-000000000000', mine.id.toUpperCase()]) {
          await expect(Promise.resolve().then(() => store.release(SCOPE, id, NOW))).rejects.toThrow(UnknownReservation);
          await expect(Promise.resolve().then(() => store.commit(SCOPE, id, amount(1), NOW))).rejects.toThrow(UnknownReservation);
        }
        await expect(Promise.resolve().then(() => store.release(OTHER, mine.id, NOW))).rejects.toThrow(UnknownReservation);
        expect(await usage(store)).toEqual(before);
        expect(await store.commit(SCOPE, mine.id, amount(300), NOW)).toMatchObject({ recorded: true, late: false });
      });

      it('returns a lease’s budget at expiresAt exactly; a late commit is all overshoot, a late release changes nothing', async () => {
        const { store } = await start();
        const late = await grant(store, 400);
        const dropped = await grant(store, 200);
        expect(await usage(store, NOW + LEASE_MS - 1)).toMatchObject({ outstanding: amount(600) });
        expect(await usage(store, NOW + LEASE_MS)).toMatchObject({ outstanding: amount(0), reservations: 0 });
        expect(await store.commit(SCOPE, late.id, amount(300), NOW + LEASE_MS)).toMatchObject({ late: true, overshoot: amount(300), overshot: true });
        expect(await store.release(SCOPE, dropped.id, NOW + LEASE_MS)).toMatchObject({ recorded: true, late: true });
        expect(await usage(store, NOW + LEASE_MS)).toMatchObject({ committed: amount(300), overshoot: amount(300), outstanding: amount(0) });
      });

      it('forgets a reservation 24 h after its lease ended if it was never settled, and a settled one within twice RECEIPT_RETENTION_MS', async () => {
        const { store } = await start();
        const abandoned = await grant(store, 100);
        const settled = await grant(store, 100);
        await store.commit(SCOPE, settled.id, amount(100), NOW);
        const later = NOW + LEASE_MS + LATE_COMMIT_WINDOW_MS + 2 * RECEIPT_RETENTION_MS + 1;
        await expect(Promise.resolve().then(() => store.commit(SCOPE, abandoned.id, amount(1), later))).rejects.toThrow(UnknownReservation);
        await expect(Promise.resolve().then(() => store.commit(SCOPE, settled.id, amount(100), later))).rejects.toThrow(UnknownReservation);
      });
    });

    describe('input it must refuse before changing anything', () => {
      const BAD_TIMES = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, NOW + 0.5];

      it('refuses a time that is not a whole number of ms from 0 up with ClockReadingInvalid, for every operation', async () => {
        const { store } = await start();
        const reservation = await grant(store, 100);
        const before = await usage(store);
        for (const now of BAD_TIMES) {
          await expect(Promise.resolve().then(() => store.reserve(SCOPE, amount(1), now))).rejects.toThrow(ClockReadingInvalid);
          await expect(Promise.resolve().then(() => store.commit(SCOPE, reservation.id, amount(1), now))).rejects.toThrow(ClockReadingInvalid);
          await expect(Promise.resolve().then(() => store.release(SCOPE, reservation.id, now))).rejects.toThrow(ClockReadingInvalid);
        }
        expect(await usage(store)).toEqual(before);
      });

      it('refuses an amount that is not a whole number from 0 to 2^53 − 1 with InvalidAmount', async () => {
        const { store } = await start();
        const reservation = await grant(store, 100);
        const before = await usage(store);
        for (const bad of [amount(-1), amount(1.5), amount(Number.NaN), { tokens: 1, costMinor: 0 } as Usage, amount(2 ** 53)]) {
          await expect(Promise.resolve().then(() => store.reserve(SCOPE, bad, NOW))).rejects.toThrow(InvalidAmount);
          await expect(Promise.resolve().then(() => store.commit(SCOPE, reservation.id, bad, NOW))).rejects.toThrow(InvalidAmount);
        }
        expect(await usage(store)).toEqual(before);
      });
    });

    describe('quota specs', () => {
      it('copies them once: mutating the spec given changes neither the lease length nor the limits', async () => {
        const spec = quota() as Mutable<QuotaSpec>;
        const { store } = await start([spec]);
        spec.leaseMs = 1;
        spec.limits.tokens = 5;
        spec.window.durationMs = 1;
        expect((await grant(store, 600)).expiresAt).toBe(NOW + LEASE_MS);
        await grant(store, 400);
        expect(await store.reserve(SCOPE, amount(1), NOW)).toMatchObject({ granted: false, reason: 'over-limit', limit: { tokens: 1000 } });
        expect(store.quota(SCOPE)).toEqual(quota());
      });

      it('hands them out deep-frozen', async () => {
        const { store } = await start();
        const spec = store.quota(SCOPE) as Mutable<QuotaSpec>;
        expect(Object.isFrozen(spec) && Object.isFrozen(spec.limits) && Object.isFrozen(spec.window)).toBe(true);
        expect(() => {
          spec.limits.tokens = 1_000_000;
        }).toThrow(TypeError);
      });

      it('changes them through updateQuota: the next reservation sees the new limit and lease, held ones keep theirs', async () => {
        const { store } = await start();
        const held = await grant(store, 300);
        const update = quota({ limits: { tokens: 400 }, leaseMs: 5_000 }) as Mutable<QuotaSpec>;
        await store.updateQuota(update);
        update.limits.tokens = 1_000_000;
        expect(store.quota(SCOPE)).toEqual(quota({ limits: { tokens: 400 }, leaseMs: 5_000 }));
        expect(await store.reserve(SCOPE, amount(101), NOW)).toMatchObject({ granted: false, reason: 'over-limit', limit: { tokens: 400 }, used: amount(300) });
        expect((await grant(store, 100)).expiresAt).toBe(NOW + 5_000);
        expect(held.expiresAt).toBe(NOW + LEASE_MS);
        expect(await usage(store, NOW + 5_000)).toMatchObject({ outstanding: amount(300), reservations: 1 });
      });

      it('adds a scope through updateQuota', async () => {
        const { store } = await start([quota()]);
        await store.updateQuota(quota({ scope: 'agent/triage', limits: { toolCalls: 3 } }));
        expect(await store.reserve('agent/triage', amount(0, 0, 3), NOW)).toMatchObject({ granted: true, scope: 'agent/triage' });
      });

      it('refuses an update that changes the window or the currency, and keeps the quota as it was', async () => {
        const { store } = await start();
        await expect(Promise.resolve().then(() => store.updateQuota(quota({ window: { type: 'rolling', durationMs: 86_400_000 } })))).rejects.toThrow(
          `Quota for scope "${SCOPE}": window cannot change from fixed 86400000 ms to rolling 86400000 ms; usage already counted was counted in the old window. Give the new window its own scope or store.`,
        );
        await expect(Promise.resolve().then(() => store.updateQuota(quota({ currency: 'USD' })))).rejects.toThrow(InvalidQuotaSpec);
        await expect(Promise.resolve().then(() => store.updateQuota(quota({ leaseMs: 0 })))).rejects.toThrow(InvalidQuotaSpec);
        expect(store.quota(SCOPE)).toEqual(quota());
      });
    });

    describe('durability (stores that keep state beyond the process)', () => {
      it('after a restart keeps usage, open reservations, and the receipts of settled ones', async () => {
        const { store, reopen } = await start();
        if (reopen === undefined) return;
        const open = await grant(store, 300);
        const committed = await grant(store, 200);
        const receipt = await store.commit(SCOPE, committed.id, amount(150), NOW);
        const before = await usage(store);
        const again = await reopen();
        expect(await again.usage(SCOPE, NOW)).toEqual(before);
        expect(await again.commit(SCOPE, committed.id, amount(150), NOW)).toEqual(receipt);
        expect(await again.commit(SCOPE, open.id, amount(300), NOW)).toMatchObject({ recorded: true, late: false });
      });
    });
  });
}
