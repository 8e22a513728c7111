// The lease contract, run unchanged against the in-memory twin, PGlite and a real server.
import { InvalidOptionError } from '@12-factor-agentops/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FencingTokenRejected } from '../src/index.ts';
import type { Lease, LeaseStore } from '../src/index.ts';
import { LEASE_BACKENDS, openLeaseHarness } from './support/lease-harness.ts';
import type { LeaseHarness } from './support/lease-harness.ts';

const T0 = 1_700_000_000_000;
const TTL = 30_000;

describe.each(LEASE_BACKENDS)('leases on %s', (kind) => {
  let harness: LeaseHarness;
  let store: LeaseStore;
  let queues = 0;
  beforeAll(async () => {
    harness = await openLeaseHarness(kind);
    store = harness.store;
  });
  afterAll(() => harness.close());

  /** A queue of its own for each test, holding `items` ready at T0 + their offset. */
  async function queueWith(items: Record<string, number>): Promise<string> {
    const queue = `q${++queues}`;
    for (const [item, offset] of Object.entries(items)) expect(await store.offer({ queue, item, readyAt: T0 + offset })).toBe(true);
    return queue;
  }

  async function claim(queue: string, owner: string, now: number, ttlMs = TTL): Promise<Lease | undefined> {
    return store.claim({ queue, owner, now, ttlMs });
  }

  it('claims the oldest ready item first, then by name, and not an item that is not ready yet', async () => {
    const queue = await queueWith({ late: 5_000, b: 10, a: 10, first: 0 });
    expect((await claim(queue, 'w', T0 + 100))?.item).toBe('first');
    expect((await claim(queue, 'w', T0 + 100))?.item).toBe('a');
    expect((await claim(queue, 'w', T0 + 100))?.item).toBe('b');
    expect(await claim(queue, 'w', T0 + 100)).toBeUndefined();
    expect(await claim(queue, 'w', T0 + 5_000)).toMatchObject({ queue, item: 'late', owner: 'w', expiresAt: T0 + 5_000 + TTL });
  });

  it('holds an item while now < expiresAt and lets another owner claim it from expiresAt on', async () => {
    const queue = await queueWith({ job: 0 });
    const first = await claim(queue, 'w1', T0, 1_000);
    expect(await claim(queue, 'w2', T0 + 999)).toBeUndefined();
    expect(await store.holder(queue, 'job', T0 + 999)).toEqual(first);
    expect(await store.holder(queue, 'job', T0 + 1_000)).toBeUndefined();
    const second = await claim(queue, 'w2', T0 + 1_000);
    expect(second).toMatchObject({ item: 'job', owner: 'w2' });
  });

  it('gives every new lease of an item a larger fencing token', async () => {
    const queue = await queueWith({ job: 0 });
    const tokens: number[] = [];
    for (let round = 0; round < 5; round++) {
      const lease = await claim(queue, `w${round}`, T0 + round * 1_000, 500);
      tokens.push(lease?.token ?? 0);
    }
    expect(tokens.every((token, i) => i === 0 || token > (tokens[i - 1] ?? 0))).toBe(true);
  });

  it('renews a held lease from now, and refuses to renew one that expired or was superseded', async () => {
    const queue = await queueWith({ job: 0 });
    const lease = (await claim(queue, 'w1', T0, 1_000)) as Lease;
    const renewed = await store.renew(lease, { now: T0 + 900, ttlMs: 1_000 });
    expect(renewed).toEqual({ ...lease, expiresAt: T0 + 1_900 });
    expect(await claim(queue, 'w2', T0 + 1_500)).toBeUndefined();
    const expired = await store.renew(renewed, { now: T0 + 1_900, ttlMs: 1_000 }).catch((error: unknown) => error);
    expect(expired).toBeInstanceOf(FencingTokenRejected);
    expect(expired).toMatchObject({ reason: 'expired', expiredAt: T0 + 1_900 });
    const taken = (await claim(queue, 'w2', T0 + 2_000)) as Lease;
    const superseded = await store.renew(renewed, { now: T0 + 2_001, ttlMs: 1_000 }).catch((error: unknown) => error);
    expect(superseded).toMatchObject({ reason: 'superseded', current: { owner: 'w2', token: taken.token } });
    expect((superseded as Error).message).toBe(
      `Lease on item "job" of queue "${queue}" with fencing token ${lease.token} (owner "w1") no longer holds it: ` +
        `owner "w2" holds it with token ${taken.token}. Nothing was written; stop working on this item.`,
    );
  });

  it('releases an item so it is claimable at once, or from readyAt when given', async () => {
    const queue = await queueWith({ job: 0 });
    const lease = (await claim(queue, 'w1', T0)) as Lease;
    expect(await store.release(lease, { now: T0 + 10 })).toBe(true);
    expect(await store.holder(queue, 'job', T0 + 10)).toBeUndefined();
    const again = (await claim(queue, 'w2', T0 + 10)) as Lease;
    expect(await store.release(again, { now: T0 + 20, readyAt: T0 + 5_000 })).toBe(true);
    expect(await claim(queue, 'w3', T0 + 4_999)).toBeUndefined();
    expect((await claim(queue, 'w3', T0 + 5_000))?.owner).toBe('w3');
  });

  it('ignores a release by a holder that lost its lease, and leaves the new holder in place', async () => {
    const queue = await queueWith({ job: 0 });
    const old = (await claim(queue, 'w1', T0, 1_000)) as Lease;
    const current = (await claim(queue, 'w2', T0 + 1_000)) as Lease;
    expect(await store.release(old, { now: T0 + 1_001 })).toBe(false);
    expect(await store.holder(queue, 'job', T0 + 1_001)).toEqual(current);
  });

  it('completes an item (removes it), and refuses completion by a holder that lost its lease', async () => {
    const queue = await queueWith({ done: 0, contested: 1 });
    const done = (await claim(queue, 'w1', T0)) as Lease;
    await store.complete(done, { now: T0 + 1 });
    expect(await store.holder(queue, 'done', T0 + 1)).toBeUndefined();
    await expect(store.complete(done, { now: T0 + 2 })).rejects.toMatchObject({ reason: 'gone' });
    const old = (await claim(queue, 'w1', T0 + 1, 100)) as Lease;
    const current = (await claim(queue, 'w2', T0 + 101)) as Lease;
    await expect(store.complete(old, { now: T0 + 102 })).rejects.toThrow(FencingTokenRejected);
    expect(await store.holder(queue, 'contested', T0 + 102)).toEqual(current);
    expect(await store.offer({ queue, item: 'contested', readyAt: T0 })).toBe(false);
    expect(await store.holder(queue, 'contested', T0 + 102)).toEqual(current);
  });

  it('lands a write of the current holder and rejects, writing nothing, a write under a lost lease', async () => {
    const queue = await queueWith({ job: 0 });
    const old = (await claim(queue, 'w1', T0, 1_000)) as Lease;
    await harness.write(old, T0 + 1, 'w1 while held');
    await expect(harness.write(old, T0 + 1_000, 'w1 after expiry')).rejects.toMatchObject({ name: 'FencingTokenRejected', reason: 'expired' });
    const current = (await claim(queue, 'w2', T0 + 1_000)) as Lease;
    await expect(harness.write(old, T0 + 1_001, 'w1 superseded')).rejects.toMatchObject({ reason: 'superseded', current: { owner: 'w2' } });
    await harness.write(current, T0 + 1_001, 'w2 while held');
    await store.release(current, { now: T0 + 1_002 });
    await expect(harness.write(current, T0 + 1_003, 'w2 after release')).rejects.toMatchObject({ reason: 'released' });
    expect(await harness.landed(queue)).toEqual([
      { item: 'job', token: old.token, value: 'w1 while held' },
      { item: 'job', token: current.token, value: 'w2 while held' },
    ]);
  });

  it('keeps queues apart', async () => {
    const a = await queueWith({ job: 0 });
    const b = await queueWith({ job: 0 });
    const inA = (await claim(a, 'w1', T0)) as Lease;
    expect((await claim(b, 'w2', T0))?.item).toBe('job');
    expect(await store.holder(a, 'job', T0)).toEqual(inA);
  });

  it('refuses bad arguments with InvalidOptionError and changes nothing', async () => {
    const queue = await queueWith({ job: 0 });
    await expect(store.claim({ queue, owner: '', now: T0, ttlMs: TTL })).rejects.toThrow('Expected `owner` to be a non-empty string of at most 200 characters, got "" (string).');
    await expect(store.claim({ queue, owner: 'w', now: Number.NaN, ttlMs: TTL })).rejects.toThrow(InvalidOptionError);
    await expect(store.claim({ queue, owner: 'w', now: T0, ttlMs: -1 })).rejects.toThrow('Expected `ttlMs` to be a duration in ms');
    await expect(store.offer({ queue, item: 'x', readyAt: 1.5 })).rejects.toThrow('Expected `readyAt` to be a whole number');
    expect(await store.holder(queue, 'job', T0)).toBeUndefined();
    expect((await claim(queue, 'w', T0))?.item).toBe('job');
  });
});
