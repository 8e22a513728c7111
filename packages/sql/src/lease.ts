// The lease contract shared by the SQL store and its in-memory twin: types, the one rejection
// error, argument checks, and the rule that says why a lease is no longer held.
import { InvalidOptionError, durationMs, wholeNumber } from '@12-factor-agentops/core';

/** A claim on one item of a queue, valid until `expiresAt`. */
export interface Lease {
  readonly queue: string;
  readonly item: string;
  readonly owner: string;
  /**
   * The fencing token: drawn from one sequence for every claim of every item, so each new
   * lease of an item carries a larger token than any lease of it before.
   */
  readonly token: number;
  /** ms since the epoch; the lease is held while `now < expiresAt`. */
  readonly expiresAt: number;
}

/** An item offered for claiming. */
export interface LeaseOffer {
  readonly queue: string;
  readonly item: string;
  /** ms since the epoch from which the item may be claimed. Oldest `readyAt` is claimed first. */
  readonly readyAt: number;
}

/** A request to claim the oldest ready item of `queue`. */
export interface ClaimRequest {
  readonly queue: string;
  readonly owner: string;
  /** The caller's time in ms since the epoch. */
  readonly now: number;
  readonly ttlMs: number;
}

/** What the current lease of an item looks like, as far as the rejection rule needs it. */
export interface LeaseRow {
  readonly owner: string | null;
  readonly token: number | null;
  readonly expiresAt: number | null;
}

/** Why a lease no longer holds its item. */
export type LeaseLossReason = 'superseded' | 'expired' | 'released' | 'gone';

/**
 * A write, renewal or completion came with a lease that no longer holds its item: nothing was
 * changed. The holder must stop working on the item; another owner may hold it now.
 */
export class FencingTokenRejected extends Error {
  override readonly name = 'FencingTokenRejected';
  constructor(
    readonly lease: Lease,
    readonly reason: LeaseLossReason,
    /** The item's current lease, when another owner holds it. */
    readonly current?: { readonly owner: string; readonly token: number },
    /** When the lease expired, for `reason: 'expired'`. */
    readonly expiredAt?: number,
  ) {
    super(
      `Lease on item "${lease.item}" of queue "${lease.queue}" with fencing token ${lease.token} (owner "${lease.owner}") ` +
        `no longer holds it: ${explain(reason, current, expiredAt)}. Nothing was written; stop working on this item.`,
    );
  }
}

/**
 * Leases on the items of named queues. Time is the caller's: every operation takes `now`, and
 * a lease is held while `now < expiresAt`. The SQL store and the in-memory twin pass the same
 * conformance suite.
 */
export interface LeaseStore {
  /** Adds an item to its queue; false if it is there already (it is left as it is). */
  offer(offer: LeaseOffer): Promise<boolean>;
  /** Claims the oldest ready, unheld item (smallest `readyAt`, then item name), or returns undefined. */
  claim(request: ClaimRequest): Promise<Lease | undefined>;
  /** Extends a held lease to `now + ttlMs`; throws `FencingTokenRejected` if it no longer holds. */
  renew(lease: Lease, at: { readonly now: number; readonly ttlMs: number }): Promise<Lease>;
  /** Gives the item back (ready again from `readyAt`, default unchanged); false if the lease no longer held it. */
  release(lease: Lease, at: { readonly now: number; readonly readyAt?: number }): Promise<boolean>;
  /** Removes the item: its work is done. Throws `FencingTokenRejected` if the lease no longer holds. */
  complete(lease: Lease, at: { readonly now: number }): Promise<void>;
  /** The lease that holds `item` at `now`, if any. */
  holder(queue: string, item: string, now: number): Promise<Lease | undefined>;
}

/** Why `lease` does not hold its item given the item's current row (undefined: the item is gone), or undefined if it does. */
export function lossReason(lease: Lease, row: LeaseRow | undefined, now: number): LeaseLossReason | undefined {
  if (row === undefined) return 'gone';
  if (row.token !== lease.token) return 'superseded';
  if (row.expiresAt === null) return 'released';
  if (row.expiresAt <= now) return 'expired';
  return undefined;
}

/** The rejection for `lease`, naming the current holder when there is one. */
export function rejection(lease: Lease, reason: LeaseLossReason, row: LeaseRow | undefined, now: number): FencingTokenRejected {
  const heldByOther = row !== undefined && row.owner !== null && row.token !== null && row.expiresAt !== null && row.expiresAt > now;
  const current = heldByOther ? { owner: row.owner as string, token: row.token as number } : undefined;
  return new FencingTokenRejected(lease, reason, current, reason === 'expired' ? (row?.expiresAt ?? undefined) : undefined);
}

// The last millisecond a JavaScript Date can hold: times past it are not times.
const MAX_TIME_MS = 8.64e15;

/** Checks a time argument: a whole number of ms since the epoch. */
export function checkTime(option: string, value: unknown): number {
  return wholeNumber(option, value, 0, MAX_TIME_MS);
}

/** Checks a lease duration. */
export function checkTtl(value: unknown): number {
  return durationMs('ttlMs', value);
}

/** Checks a queue, item or owner name: a non-empty string of at most 200 characters. */
export function checkName(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 200) {
    throw new InvalidOptionError(option, 'a non-empty string of at most 200 characters', value);
  }
  return value;
}

/** Checks the fields of a lease handed back to the store. */
export function checkLease(lease: Lease): void {
  checkName('lease.queue', lease.queue);
  checkName('lease.item', lease.item);
  wholeNumber('lease.token', lease.token, 1);
}

function explain(reason: LeaseLossReason, current: { readonly owner: string; readonly token: number } | undefined, expiredAt: number | undefined): string {
  switch (reason) {
    case 'superseded':
      return current === undefined ? 'a newer lease replaced it' : `owner "${current.owner}" holds it with token ${current.token}`;
    case 'expired':
      return expiredAt === undefined ? 'it expired' : `it expired at ${new Date(expiredAt).toISOString()}`;
    case 'released':
      return 'it was released';
    case 'gone':
      return 'the item was completed or removed';
  }
}
