import { checkLease, checkName, checkTime, checkTtl, lossReason, rejection } from './lease.ts';
import type { ClaimRequest, Lease, LeaseOffer, LeaseStore } from './lease.ts';

interface Entry {
  readyAt: number;
  owner: string | null;
  token: number | null;
  expiresAt: number | null;
}

/**
 * The in-memory twin of `SqlLeases`: the same contract and the same conformance suite, for
 * tests and for a single process that keeps its work in memory. Not shared between processes.
 */
export class MemoryLeases implements LeaseStore {
  readonly #queues = new Map<string, Map<string, Entry>>();
  #lastToken = 0;

  async offer(offer: LeaseOffer): Promise<boolean> {
    const queue = this.#queue(checkName('queue', offer.queue));
    const item = checkName('item', offer.item);
    const readyAt = checkTime('readyAt', offer.readyAt);
    if (queue.has(item)) return false;
    queue.set(item, { readyAt, owner: null, token: null, expiresAt: null });
    return true;
  }

  async claim(request: ClaimRequest): Promise<Lease | undefined> {
    const queueName = checkName('queue', request.queue);
    const owner = checkName('owner', request.owner);
    const now = checkTime('now', request.now);
    const ttlMs = checkTtl(request.ttlMs);
    let oldest: [string, Entry] | undefined;
    for (const candidate of this.#queue(queueName)) {
      const [item, entry] = candidate;
      if (entry.readyAt > now || (entry.expiresAt !== null && entry.expiresAt > now)) continue;
      if (oldest === undefined || entry.readyAt < oldest[1].readyAt || (entry.readyAt === oldest[1].readyAt && item < oldest[0])) oldest = candidate;
    }
    if (oldest === undefined) return undefined;
    const [item, entry] = oldest;
    entry.owner = owner;
    entry.token = ++this.#lastToken;
    entry.expiresAt = now + ttlMs;
    return { queue: queueName, item, owner, token: entry.token, expiresAt: entry.expiresAt };
  }

  async renew(lease: Lease, at: { readonly now: number; readonly ttlMs: number }): Promise<Lease> {
    const now = checkTime('now', at.now);
    const ttlMs = checkTtl(at.ttlMs);
    const entry = this.#held(lease, now);
    entry.expiresAt = now + ttlMs;
    return { ...lease, expiresAt: entry.expiresAt };
  }

  async release(lease: Lease, at: { readonly now: number; readonly readyAt?: number }): Promise<boolean> {
    checkLease(lease);
    const now = checkTime('now', at.now);
    const readyAt = at.readyAt === undefined ? undefined : checkTime('readyAt', at.readyAt);
    const entry = this.#queues.get(lease.queue)?.get(lease.item);
    if (lossReason(lease, entry, now) !== undefined || entry === undefined) return false;
    entry.owner = null;
    entry.expiresAt = null;
    if (readyAt !== undefined) entry.readyAt = readyAt;
    return true;
  }

  async complete(lease: Lease, at: { readonly now: number }): Promise<void> {
    const now = checkTime('now', at.now);
    this.#held(lease, now);
    this.#queues.get(lease.queue)?.delete(lease.item);
  }

  async holder(queue: string, item: string, now: number): Promise<Lease | undefined> {
    checkTime('now', now);
    const entry = this.#queues.get(checkName('queue', queue))?.get(checkName('item', item));
    if (entry === undefined || entry.owner === null || entry.token === null || entry.expiresAt === null || entry.expiresAt <= now) return undefined;
    return { queue, item, owner: entry.owner, token: entry.token, expiresAt: entry.expiresAt };
  }

  /**
   * Runs `write` only if `lease` holds its item at `now`, else throws `FencingTokenRejected`.
   * `write` is synchronous, so nothing can claim the item between the check and the write:
   * the in-memory counterpart of putting `SqlLeases.fence` in a statement's `WHERE`.
   */
  fencedWrite<T>(lease: Lease, now: number, write: () => T): T {
    this.#held(lease, checkTime('now', now));
    return write();
  }

  #held(lease: Lease, now: number): Entry {
    checkLease(lease);
    const entry = this.#queues.get(lease.queue)?.get(lease.item);
    const reason = lossReason(lease, entry, now);
    if (reason !== undefined || entry === undefined) throw rejection(lease, reason ?? 'gone', entry, now);
    return entry;
  }

  #queue(name: string): Map<string, Entry> {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new Map();
      this.#queues.set(name, queue);
    }
    return queue;
  }
}
