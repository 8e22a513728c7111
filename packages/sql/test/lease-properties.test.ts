// Random interleavings of claim, renew, release, complete, writes and expiry by several owners,
// checked step by step against a model small enough to be obviously right.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FencingTokenRejected } from '../src/index.ts';
import type { Lease } from '../src/index.ts';
import { LEASE_BACKENDS, openLeaseHarness } from './support/lease-harness.ts';
import type { LandedWrite, LeaseHarness, LeaseBackend } from './support/lease-harness.ts';

const ITEMS = ['a', 'b', 'c'] as const;
const OWNERS = ['w0', 'w1', 'w2'] as const;
type Item = (typeof ITEMS)[number];
type Owner = (typeof OWNERS)[number];

type Op =
  | { readonly kind: 'offer'; readonly item: Item; readonly delay: number }
  | { readonly kind: 'claim'; readonly owner: Owner; readonly ttl: number }
  // These act on one of the leases `owner` was given (`pick` chooses which), held or lost.
  | { readonly kind: 'renew'; readonly owner: Owner; readonly pick: number; readonly ttl: number }
  | { readonly kind: 'release'; readonly owner: Owner; readonly pick: number; readonly delay: number | undefined }
  | { readonly kind: 'complete'; readonly owner: Owner; readonly pick: number }
  | { readonly kind: 'write'; readonly owner: Owner; readonly pick: number }
  | { readonly kind: 'advance'; readonly ms: number };

const item = fc.constantFrom(...ITEMS);
const owner = fc.constantFrom(...OWNERS);
const ttl = fc.integer({ min: 1, max: 50 });
const pick = fc.nat({ max: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('offer' as const), item, delay: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('claim' as const), owner, ttl }),
  fc.record({ kind: fc.constant('claim' as const), owner, ttl }),
  fc.record({ kind: fc.constant('renew' as const), owner, pick, ttl }),
  fc.record({ kind: fc.constant('release' as const), owner, pick, delay: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('complete' as const), owner, pick }),
  fc.record({ kind: fc.constant('write' as const), owner, pick }),
  fc.record({ kind: fc.constant('write' as const), owner, pick }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 40 }) }),
);

interface ModelEntry {
  readyAt: number;
  owner: string | null;
  token: number | null;
  expiresAt: number | null;
}

/** Why the model says `lease` does not hold its item at `now`, or undefined if it does. */
function modelLoss(model: Map<string, ModelEntry>, lease: Lease, now: number): FencingTokenRejected['reason'] | undefined {
  const entry = model.get(lease.item);
  if (entry === undefined) return 'gone';
  if (entry.token !== lease.token) return 'superseded';
  if (entry.expiresAt === null) return 'released';
  if (entry.expiresAt <= now) return 'expired';
  return undefined;
}

async function runOps(harness: LeaseHarness, queue: string, ops: readonly Op[]): Promise<void> {
  const { store } = harness;
  const model = new Map<string, ModelEntry>();
  const held = new Map<Owner, Map<string, Lease>>(OWNERS.map((name) => [name, new Map()]));
  const expectedWrites: LandedWrite[] = [];
  let now = 1_000;
  let lastToken = 0;
  let writes = 0;

  // One of the leases `name` was given, newest per item, chosen by `index`.
  const leaseOf = (name: Owner, index: number): Lease | undefined => {
    const leases = [...(held.get(name)?.values() ?? [])].sort((x, y) => (x.item < y.item ? -1 : 1));
    return leases.length === 0 ? undefined : leases[index % leases.length];
  };

  const rejectionOf = async (attempt: Promise<unknown>): Promise<string | undefined> => {
    try {
      await attempt;
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(FencingTokenRejected);
      return (error as FencingTokenRejected).reason;
    }
  };

  for (const step of ops) {
    switch (step.kind) {
      case 'offer': {
        const added = await store.offer({ queue, item: step.item, readyAt: now + step.delay });
        expect(added).toBe(!model.has(step.item));
        if (added) model.set(step.item, { readyAt: now + step.delay, owner: null, token: null, expiresAt: null });
        break;
      }
      case 'claim': {
        const ready = [...model.entries()]
          .filter(([, entry]) => entry.readyAt <= now && (entry.expiresAt === null || entry.expiresAt <= now))
          .sort(([a, x], [b, y]) => x.readyAt - y.readyAt || (a < b ? -1 : 1));
        const lease = await store.claim({ queue, owner: step.owner, now, ttlMs: step.ttl });
        expect(lease?.item).toBe(ready[0]?.[0]);
        if (lease !== undefined) {
          // Tokens only ever grow: every lease outranks every lease handed out before it.
          expect(lease.token).toBeGreaterThan(lastToken);
          lastToken = lease.token;
          expect(lease).toMatchObject({ owner: step.owner, expiresAt: now + step.ttl });
          Object.assign(model.get(lease.item) as ModelEntry, { owner: step.owner, token: lease.token, expiresAt: now + step.ttl });
          held.get(step.owner)?.set(lease.item, lease);
        }
        break;
      }
      case 'renew': {
        const lease = leaseOf(step.owner, step.pick);
        if (lease === undefined) break;
        const expected = modelLoss(model, lease, now);
        const outcome = await rejectionOf(
          store.renew(lease, { now, ttlMs: step.ttl }).then((renewed) => {
            held.get(step.owner)?.set(lease.item, renewed);
          }),
        );
        expect(outcome).toBe(expected);
        if (expected === undefined) (model.get(lease.item) as ModelEntry).expiresAt = now + step.ttl;
        break;
      }
      case 'release': {
        const lease = leaseOf(step.owner, step.pick);
        if (lease === undefined) break;
        const valid = modelLoss(model, lease, now) === undefined;
        const readyAt = step.delay === undefined ? undefined : now + step.delay;
        expect(await store.release(lease, { now, ...(readyAt === undefined ? {} : { readyAt }) })).toBe(valid);
        if (valid) {
          const entry = model.get(lease.item) as ModelEntry;
          Object.assign(entry, { owner: null, expiresAt: null, readyAt: readyAt ?? entry.readyAt });
        }
        break;
      }
      case 'complete': {
        const lease = leaseOf(step.owner, step.pick);
        if (lease === undefined) break;
        const expected = modelLoss(model, lease, now);
        expect(await rejectionOf(store.complete(lease, { now }))).toBe(expected);
        if (expected === undefined) model.delete(lease.item);
        break;
      }
      case 'write': {
        const lease = leaseOf(step.owner, step.pick);
        if (lease === undefined) break;
        const value = `write ${++writes}`;
        const expected = modelLoss(model, lease, now);
        expect(await rejectionOf(harness.write(lease, now, value))).toBe(expected);
        // A write lands only from the one lease that holds the item at that moment.
        if (expected === undefined) expectedWrites.push({ item: lease.item, token: lease.token, value });
        break;
      }
      case 'advance':
        now += step.ms;
        break;
    }
    // At most one holder per item, and it is the model's.
    const expected = new Map<string, readonly [string, number]>();
    for (const [name, entry] of model) {
      if (entry.expiresAt !== null && entry.expiresAt > now) expected.set(name, [entry.owner as string, entry.token as number]);
    }
    expect(await harness.holders(queue, now)).toEqual(expected);
    const touched = 'item' in step ? step.item : 'pick' in step ? leaseOf(step.owner, step.pick)?.item : undefined;
    if (touched !== undefined) {
      const holder = await store.holder(queue, touched, now);
      expect(holder === undefined ? undefined : [holder.owner, holder.token]).toEqual(expected.get(touched));
    }
  }
  expect(await harness.landed(queue)).toEqual(expectedWrites);
}

const RUNS: Record<LeaseBackend, number> = { memory: 200, pglite: 8, server: 12 };

describe.each(LEASE_BACKENDS)('leases on %s under random interleavings', (kind) => {
  let harness: LeaseHarness;
  let queues = 0;
  beforeAll(async () => {
    harness = await openLeaseHarness(kind);
  });
  afterAll(() => harness.close());

  it('keep one holder per item, hand out ever larger tokens, and never land a stale holder\'s write', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 30, size: 'max' }), async (ops) => {
        await runOps(harness, `p${++queues}`, ops);
      }),
      { numRuns: RUNS[kind] },
    );
  });
});
