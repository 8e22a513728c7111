import { MemoryLeases } from '@12-factor-agentops/sql';
import { INBOX_QUEUE, inboxItem, splitInboxItem } from './inbox.ts';
import type { AcceptOutcome, ClaimedEvent, EventInbox, InboxDepth, InboxRecord } from './inbox.ts';
import type { VerifiedDelivery } from './sources.ts';

/**
 * The in-memory twin of `SqlInbox`: the same contract and conformance suite, for tests, the
 * benchmark and a demo. Nothing survives the process, so a real receiver must not use it:
 * it would acknowledge events it can lose.
 */
export class MemoryInbox implements EventInbox {
  readonly #records = new Map<string, InboxRecord>();
  readonly #leases = new MemoryLeases();

  async accept(delivery: VerifiedDelivery, agent: string | undefined, now: number): Promise<AcceptOutcome> {
    const key = inboxItem(delivery.source, delivery.deliveryId);
    if (this.#records.has(key)) return { status: 'duplicate' };
    this.#records.set(key, {
      source: delivery.source,
      deliveryId: delivery.deliveryId,
      eventType: delivery.eventType,
      agent: agent ?? null,
      body: delivery.body,
      receivedAt: now,
      state: agent === undefined ? 'unrouted' : 'pending',
      attempts: 0,
      lastError: null,
      doneAt: null,
      doneToken: null,
    });
    if (agent === undefined) return { status: 'unrouted' };
    await this.#leases.offer({ queue: INBOX_QUEUE, item: key, readyAt: now });
    return { status: 'accepted', agent };
  }

  async claim(owner: string, now: number, ttlMs: number): Promise<ClaimedEvent | undefined> {
    const lease = await this.#leases.claim({ queue: INBOX_QUEUE, owner, now, ttlMs });
    if (lease === undefined) return undefined;
    const record = this.#leases.fencedWrite(lease, now, () => this.#update(lease.item, (row) => ({ ...row, attempts: row.attempts + 1 })));
    return { lease, record, attempt: record.attempts };
  }

  async renew(claimed: ClaimedEvent, now: number, ttlMs: number): Promise<ClaimedEvent> {
    return { ...claimed, lease: await this.#leases.renew(claimed.lease, { now, ttlMs }) };
  }

  async markDone(claimed: ClaimedEvent, now: number): Promise<void> {
    const { lease } = claimed;
    // Both calls run without yielding, so no claim can come between the fenced write and the completion.
    this.#leases.fencedWrite(lease, now, () => this.#update(lease.item, (row) => ({ ...row, state: 'done', doneAt: now, doneToken: lease.token })));
    await this.#leases.complete(lease, { now });
  }

  async release(claimed: ClaimedEvent, now: number, retryAt: number, error: string): Promise<boolean> {
    const { lease } = claimed;
    if ((await this.#leases.holder(lease.queue, lease.item, now))?.token !== lease.token) return false;
    this.#update(lease.item, (row) => ({ ...row, lastError: error }));
    return this.#leases.release(lease, { now, readyAt: retryAt });
  }

  async get(source: string, deliveryId: string): Promise<InboxRecord | undefined> {
    return this.#records.get(inboxItem(source, deliveryId));
  }

  async depth(): Promise<InboxDepth> {
    const depth = { pending: 0, done: 0, unrouted: 0 };
    for (const record of this.#records.values()) depth[record.state] += 1;
    return depth;
  }

  async close(): Promise<void> {}

  #update(item: string, change: (row: InboxRecord) => InboxRecord): InboxRecord {
    const current = this.#records.get(item);
    if (current === undefined) {
      const { source, deliveryId } = splitInboxItem(item);
      throw new Error(`inbox lease names event "${deliveryId}" of source "${source}", which the inbox does not hold`);
    }
    const next = change(current);
    this.#records.set(item, next);
    return next;
  }
}
