// The inbox contract shared by the SQL store and its in-memory twin.
import type { Lease } from '@12-factor-agentops/sql';
import type { VerifiedDelivery } from './sources.ts';

/** Where an event stands: waiting for its agent, handled, or recorded with no agent to handle it. */
export type InboxState = 'pending' | 'done' | 'unrouted';

/** One row of the inbox, keyed by (source, delivery id). */
export interface InboxRecord {
  readonly source: string;
  readonly deliveryId: string;
  readonly eventType: string | null;
  /** The agent the routing table chose when the event arrived; null when none did. */
  readonly agent: string | null;
  /** The body exactly as received. */
  readonly body: string;
  readonly receivedAt: number;
  readonly state: InboxState;
  /** How many times a worker claimed the event for its handler. */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly doneAt: number | null;
  /** The fencing token of the lease under which the event was marked done. */
  readonly doneToken: number | null;
}

/** What storing a delivery did. */
export type AcceptOutcome =
  /** A new event, now durable, waiting for `agent`. */
  | { readonly status: 'accepted'; readonly agent: string }
  /** A new event, now durable, that no agent handles. */
  | { readonly status: 'unrouted' }
  /** The (source, delivery id) was stored before: nothing changed. */
  | { readonly status: 'duplicate' };

/** An event a worker holds a lease on, ready for its agent. */
export interface ClaimedEvent {
  readonly lease: Lease;
  readonly record: InboxRecord;
  /** 1 for the first claim of the event, 2 for the next, … */
  readonly attempt: number;
}

/** How many events are in each state. */
export interface InboxDepth {
  readonly pending: number;
  readonly done: number;
  readonly unrouted: number;
}

/**
 * The durable inbox: a delivery is stored once per (source, delivery id), handed to one
 * worker at a time under a lease, and marked done once, under a fence, by the worker that
 * holds the lease. The SQL store and the in-memory twin pass one conformance suite.
 */
export interface EventInbox {
  /**
   * Stores a verified delivery routed to `agent` (undefined: unrouted). Resolves only once
   * the row is durable; a second delivery of the same (source, delivery id) is `duplicate`
   * and changes nothing.
   */
  accept(delivery: VerifiedDelivery, agent: string | undefined, now: number): Promise<AcceptOutcome>;
  /** Leases the oldest pending event whose retry time has come, until `now + ttlMs`, and counts the attempt. */
  claim(owner: string, now: number, ttlMs: number): Promise<ClaimedEvent | undefined>;
  /** Extends the lease; throws `FencingTokenRejected` if it no longer holds. */
  renew(claimed: ClaimedEvent, now: number, ttlMs: number): Promise<ClaimedEvent>;
  /**
   * Marks the event done and removes its lease, in one write fenced by the lease's token.
   * Throws `FencingTokenRejected` (and changes nothing) when the lease no longer holds: then
   * another worker holds the event and will mark it.
   */
  markDone(claimed: ClaimedEvent, now: number): Promise<void>;
  /** Records a handler failure and gives the event back, ready again at `retryAt`. False if the lease no longer held it. */
  release(claimed: ClaimedEvent, now: number, retryAt: number, error: string): Promise<boolean>;
  /** The record of (source, delivery id), if stored. */
  get(source: string, deliveryId: string): Promise<InboxRecord | undefined>;
  depth(): Promise<InboxDepth>;
  close(): Promise<void>;
}

/** The lease queue of the inbox, and an inbox item's name in it. */
export const INBOX_QUEUE = 'event-inbox';
export function inboxItem(source: string, deliveryId: string): string {
  return `${source}/${deliveryId}`;
}
export function splitInboxItem(item: string): { readonly source: string; readonly deliveryId: string } {
  const slash = item.indexOf('/');
  return { source: item.slice(0, slash), deliveryId: item.slice(slash + 1) };
}

/** An error's one-line description, bounded, for `lastError`. */
export function describeFailure(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
