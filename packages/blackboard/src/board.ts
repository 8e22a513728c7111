// The board contract every store implements, and passes one conformance suite for.
import type { BoardRules, Changes, Claim, Entry, FailOutcome, Json, MissionSpec, ShardView } from './model.ts';

/** Where a worker claims: the oldest ready shard of one type. */
export interface ClaimRequest {
  readonly worker: string;
  readonly type: string;
  /** The caller's time in ms since the epoch. */
  readonly now: number;
  readonly ttlMs: number;
}

/**
 * A shared board mediated by the store: agents never talk to each other; they read it, claim a
 * shard, and write their result back.
 *
 * - Entries are versioned; every write is compare-and-set on the version (`Conflict` if stale).
 * - Every change, to an entry, a shard or a run, takes the next board revision, assigned inside
 *   the writing transaction under a lock, so revisions commit in order with no gaps and
 *   `changesSince(r)` never misses a change committed later with a revision ≤ r.
 * - Claims are leases with fencing tokens: a run's result, failure or renewal lands only while
 *   its lease holds the shard (`FencingTokenRejected` otherwise, nothing changed).
 */
export interface Blackboard {
  readonly rules: BoardRules;

  /** The entry at `key`, or undefined. */
  read(key: string): Promise<Entry | undefined>;
  /**
   * Writes `value` at `key` if the entry is at `expectedVersion` (0: it must not exist yet).
   * Returns the new entry; throws `Conflict` with the current version otherwise.
   */
  write(key: string, value: Json, at: { readonly expectedVersion: number }): Promise<Entry>;
  /**
   * Everything changed after `revision`, each once at its latest revision, in revision order:
   * whole revisions up to the one of the `limit`-th change, so more than `limit` changes when
   * that revision changed several things, and never part of a revision.
   */
  changesSince(revision: number, limit?: number): Promise<Changes>;

  /**
   * Accepts a mission's shards, all or none. Posting a shard again with the same intent changes
   * nothing (its key is its idempotency key); a different intent throws `IntentChanged`.
   */
  postMission(mission: MissionSpec, now: number): Promise<{ readonly posted: number; readonly existing: number }>;
  /**
   * Claims the oldest ready shard of `type` (smallest ready time, then id) and opens its next
   * run. A shard whose last run's lease ran out gets that run closed as `expired`; a shard whose
   * attempts are spent becomes `failed` and the claim moves on to the next shard.
   */
  claim(request: ClaimRequest): Promise<Claim | undefined>;
  /** Extends a held claim to `now + ttlMs`. */
  renew(claim: Claim, at: { readonly now: number; readonly ttlMs: number }): Promise<Claim>;
  /** Records the run's result and marks the shard done, if the claim still holds. */
  complete(claim: Claim, outcome: Json, now: number): Promise<void>;
  /** Records the run as failed; the shard is retried after its back-off, or `failed` when its attempts are spent. */
  fail(claim: Claim, reason: string, now: number): Promise<FailOutcome>;

  /** A shard with its status and every run. */
  shard(shardId: string): Promise<ShardView | undefined>;
  /** Every shard of a mission, by id. */
  mission(missionId: string): Promise<readonly ShardView[]>;
  close(): Promise<void>;
}
