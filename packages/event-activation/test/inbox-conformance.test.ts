// One contract, three backends: memory, PGlite and a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FencingTokenRejected } from '@12-factor-agentops/sql';
import type { ClaimedEvent, EventInbox } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';
import { delivery } from './support/deliveries.ts';

const T0 = 1_700_000_000_000;
const TTL = 30_000;

describe.each(BACKENDS)('the inbox on %s', (kind) => {
  let backend: Backend;
  let inbox: EventInbox;
  let ids = 0;
  const nextId = (): string => `msg_${kind}_${++ids}`;

  beforeAll(async () => {
    backend = await openBackend(kind);
    inbox = await backend.openInbox();
  });
  afterAll(async () => {
    await backend.close();
  });

  async function claimOne(owner: string, now: number): Promise<ClaimedEvent> {
    const claimed = await inbox.claim(owner, now, TTL);
    if (claimed === undefined) throw new Error(`${owner} found nothing to claim at ${now}`);
    return claimed;
  }

  // Each test works on events of its own; drain what earlier tests left ready so claims are predictable.
  async function drain(now: number): Promise<void> {
    for (let claimed = await inbox.claim('drain', now, TTL); claimed !== undefined; claimed = await inbox.claim('drain', now, TTL)) {
      await inbox.markDone(claimed, now);
    }
  }

  it('stores a routed delivery as pending and answers a redelivery as a duplicate that changes nothing', async () => {
    const id = nextId();
    await expect(inbox.accept(delivery(id), 'ledger-agent', T0)).resolves.toEqual({ status: 'accepted', agent: 'ledger-agent' });
    const stored = await inbox.get('billing', id);
    expect(stored).toEqual({
      source: 'billing',
      deliveryId: id,
      eventType: 'invoice.paid',
      agent: 'ledger-agent',
      body: delivery(id).body,
      receivedAt: T0,
      state: 'pending',
      attempts: 0,
      lastError: null,
      doneAt: null,
      doneToken: null,
    });
    const changed = { ...delivery(id), body: '{"type":"invoice.paid","changed":true}' };
    await expect(inbox.accept(changed, 'other-agent', T0 + 1)).resolves.toEqual({ status: 'duplicate' });
    expect(await inbox.get('billing', id)).toEqual(stored);
    await drain(T0 + 2);
  });

  it('keeps the same delivery id of two sources apart', async () => {
    const id = nextId();
    await inbox.accept(delivery(id), 'ledger-agent', T0);
    await expect(inbox.accept(delivery(id, 'issues.opened', 'github'), 'triage-agent', T0)).resolves.toEqual({ status: 'accepted', agent: 'triage-agent' });
    expect((await inbox.get('github', id))?.agent).toBe('triage-agent');
    await drain(T0);
  });

  it('records an unrouted event and never hands it to a worker', async () => {
    const id = nextId();
    const before = await inbox.depth();
    await expect(inbox.accept(delivery(id, 'customer.deleted'), undefined, T0)).resolves.toEqual({ status: 'unrouted' });
    expect(await inbox.get('billing', id)).toMatchObject({ state: 'unrouted', agent: null, eventType: 'customer.deleted' });
    expect(await inbox.claim('worker-a', T0 + 1, TTL)).toBeUndefined();
    expect(await inbox.depth()).toEqual({ ...before, unrouted: before.unrouted + 1 });
  });

  it('hands an event to one worker at a time, counts each attempt, and hands it again after the lease expires', async () => {
    const id = nextId();
    await inbox.accept(delivery(id), 'ledger-agent', T0);
    const first = await inbox.claim('worker-a', T0, TTL);
    expect(first).toMatchObject({ attempt: 1, record: { deliveryId: id, attempts: 1 }, lease: { owner: 'worker-a', expiresAt: T0 + TTL } });
    expect(await inbox.claim('worker-b', T0 + TTL - 1, TTL)).toBeUndefined();
    const second = await inbox.claim('worker-b', T0 + TTL, TTL);
    expect(second).toMatchObject({ attempt: 2, record: { deliveryId: id, attempts: 2 }, lease: { owner: 'worker-b' } });
    expect(second?.lease.token).toBeGreaterThan(first?.lease.token ?? Infinity);
    await inbox.markDone(second as ClaimedEvent, T0 + TTL + 1);
  });

  it('marks an event done once, under the lease that holds it, and refuses the stale holder', async () => {
    const id = nextId();
    await inbox.accept(delivery(id), 'ledger-agent', T0);
    const stale = await claimOne('worker-a', T0);
    const current = await claimOne('worker-b', T0 + TTL);
    const refused = await inbox.markDone(stale, T0 + TTL + 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FencingTokenRejected);
    expect((refused as FencingTokenRejected).reason).toBe('superseded');
    expect((await inbox.get('billing', id))?.state).toBe('pending');
    await inbox.markDone(current, T0 + TTL + 2);
    expect(await inbox.get('billing', id)).toMatchObject({ state: 'done', doneAt: T0 + TTL + 2, doneToken: current.lease.token, attempts: 2 });
    const again = await inbox.markDone(current, T0 + TTL + 3).catch((error: unknown) => error);
    expect((again as FencingTokenRejected).reason).toBe('gone');
    expect(await inbox.get('billing', id)).toMatchObject({ state: 'done', doneAt: T0 + TTL + 2 });
    expect(await inbox.claim('worker-c', T0 + 10 * TTL, TTL)).toBeUndefined();
  });

  it('refuses to mark done after the lease expired, even when nobody else claimed it', async () => {
    const id = nextId();
    await inbox.accept(delivery(id), 'ledger-agent', T0);
    const claimed = await claimOne('worker-a', T0);
    const refused = await inbox.markDone(claimed, T0 + TTL).catch((error: unknown) => error);
    expect((refused as FencingTokenRejected).reason).toBe('expired');
    expect((await inbox.get('billing', id))?.state).toBe('pending');
    await drain(T0 + TTL);
  });

  it('gives a failed event back with its error, ready again at the retry time', async () => {
    const id = nextId();
    await inbox.accept(delivery(id), 'ledger-agent', T0);
    const claimed = await claimOne('worker-a', T0);
    await expect(inbox.release(claimed, T0 + 10, T0 + 5_000, 'Error: upstream answered 502')).resolves.toBe(true);
    expect(await inbox.get('billing', id)).toMatchObject({ state: 'pending', lastError: 'Error: upstream answered 502', attempts: 1 });
    expect(await inbox.claim('worker-b', T0 + 4_999, TTL)).toBeUndefined();
    const retry = await inbox.claim('worker-b', T0 + 5_000, TTL);
    expect(retry).toMatchObject({ attempt: 2, record: { deliveryId: id } });
    await expect(inbox.release(claimed, T0 + 5_001, T0 + 9_000, 'Error: stale')).resolves.toBe(false);
    expect((await inbox.get('billing', id))?.lastError).toBe('Error: upstream answered 502');
    await inbox.markDone(retry as ClaimedEvent, T0 + 5_002);
  });

  it('renews a held lease and refuses to renew a lost one', async () => {
    const id = nextId();
    await inbox.accept(delivery(id), 'ledger-agent', T0);
    const claimed = await claimOne('worker-a', T0);
    const renewed = await inbox.renew(claimed, T0 + 20_000, TTL);
    expect(renewed.lease.expiresAt).toBe(T0 + 50_000);
    expect(await inbox.claim('worker-b', T0 + 40_000, TTL)).toBeUndefined();
    await expect(inbox.renew(claimed, T0 + 60_000, TTL)).rejects.toBeInstanceOf(FencingTokenRejected);
    await drain(T0 + 60_000);
  });

  it('keeps every event across a reopen, as a restarted process sees them', async () => {
    const id = nextId();
    await inbox.accept(delivery(id), 'ledger-agent', T0);
    const reopened = await backend.openInbox();
    await expect(reopened.accept(delivery(id), 'ledger-agent', T0 + 1)).resolves.toEqual({ status: 'duplicate' });
    const claimed = await reopened.claim('worker-after-restart', T0 + 2, TTL);
    expect(claimed?.record.deliveryId).toBe(id);
    await reopened.markDone(claimed as ClaimedEvent, T0 + 3);
    expect((await inbox.get('billing', id))?.state).toBe('done');
  });

  it('stores one row for twenty concurrent deliveries of one id', async () => {
    const id = nextId();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => inbox.accept(delivery(id), 'ledger-agent', T0)));
    expect(outcomes.filter((outcome) => outcome.status === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 'duplicate')).toHaveLength(19);
    const claimed = await inbox.claim('worker-a', T0, TTL);
    expect(claimed?.record.deliveryId).toBe(id);
    await inbox.markDone(claimed as ClaimedEvent, T0);
    expect(await inbox.claim('worker-a', T0, TTL)).toBeUndefined();
  });
});
