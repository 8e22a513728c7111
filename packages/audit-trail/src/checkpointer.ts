import { createHash } from 'node:crypto';
import { SleepAborted, durationMs, sleep, systemClock, systemScheduler, type Clock } from '@12-factor-agentops/core';
import { FencingTokenRejected, type Lease, type LeaseStore } from '@12-factor-agentops/sql';
import { signCheckpoint, type CheckpointSigner, type SignedCheckpoint } from './checkpoint.ts';
import { DEFAULT_CHECKPOINTER_INTERVAL_MS, DEFAULT_CHECKPOINTER_LEASE_MS } from './defaults.ts';
import type { MerkleTree } from './merkle.ts';
import type { ChainSource } from './postgres-store.ts';
import type { CheckpointStore } from './store.ts';
import { IsoTimestamps } from './timestamp.ts';
import { ChainVerificationFailed } from './trail.ts';
import { CallLedger, checkEntry, verifyEntries } from './verify.ts';

/** Options of `new AuditCheckpointer`. */
export interface AuditCheckpointerOptions {
  /** The shared log to follow (`PostgresAuditStore`). */
  readonly store: ChainSource;
  /** Where the signed checkpoints go (`PostgresCheckpointStore`). */
  readonly checkpoints: CheckpointStore;
  /** The checkpoint key; with Ed25519, verifiers need only the public key. */
  readonly signer: CheckpointSigner;
  /** Chooses one checkpointer per log: `SqlLeases` over the same database. */
  readonly leases: LeaseStore;
  /** Names this checkpointer (a host name, a pod name) in the lease. */
  readonly owner: string;
  /** Default: the wall clock. Lease times and checkpoint times are read from it. */
  readonly clock?: Clock;
  /** How long a lease lasts without renewal. Default 30,000 ms. */
  readonly leaseTtlMs?: number;
}

/** What one round did: signed (or found nothing new to sign) as the leader, or stood by while `leader` holds the lease. */
export type CheckpointRound =
  | { readonly role: 'leader'; readonly checkpoint: SignedCheckpoint | null }
  | { readonly role: 'standby'; readonly leader: string | null };

// The log as verified so far: what the next round extends.
interface Followed {
  size: number;
  headHash: string;
  signedSize: number;
  readonly tree: MerkleTree;
  readonly calls: CallLedger;
}

/**
 * Signs the checkpoints of a log that many hosts append to. Any number of these may run; a
 * lease makes one of them the leader, and only the leader reads the new entries, verifies them
 * (never signing past an entry that fails) and signs a checkpoint of the head. The appending
 * hosts never hold the key.
 */
export class AuditCheckpointer {
  readonly #store: ChainSource;
  readonly #checkpoints: CheckpointStore;
  readonly #signer: CheckpointSigner;
  readonly #leases: LeaseStore;
  readonly #owner: string;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #queue: string;
  readonly #timestamps = new IsoTimestamps();
  #lease: Lease | undefined;
  #followed: Followed | undefined;

  constructor(options: AuditCheckpointerOptions) {
    this.#ttlMs = options.leaseTtlMs === undefined ? DEFAULT_CHECKPOINTER_LEASE_MS : durationMs('leaseTtlMs', options.leaseTtlMs, { min: 1 });
    this.#store = options.store;
    this.#checkpoints = options.checkpoints;
    this.#signer = options.signer;
    this.#leases = options.leases;
    this.#owner = options.owner;
    this.#clock = options.clock ?? systemClock;
    this.#queue = leaseQueue(options.store.logId);
  }

  /**
   * One round: hold (claim or renew) the log's checkpointer lease, or stand by; as the leader,
   * read and verify the entries appended since the last round and sign a checkpoint of the
   * head if it moved. Throws `ChainVerificationFailed` when an entry fails verification: nothing
   * is signed over it.
   */
  async runOnce(): Promise<CheckpointRound> {
    const now = this.#clock.now();
    if (!(await this.#holdLease(now))) {
      const holder = await this.#leases.holder(this.#queue, ITEM, now);
      return { role: 'standby', leader: holder?.owner ?? null };
    }
    const followed = await this.#follow();
    if (followed.size === followed.signedSize) return { role: 'leader', checkpoint: null };
    const { size, headHash } = followed;
    const checkpoint = signCheckpoint({ logId: this.#store.logId, size, headHash, rootHash: followed.tree.root(size).toString('hex'), at: this.#timestamps.format(now) }, this.#signer);
    await this.#checkpoints.save(checkpoint);
    followed.signedSize = size;
    return { role: 'leader', checkpoint };
  }

  /**
   * Runs a round every `intervalMs` (default 1,000 ms) until `signal` aborts, then gives the
   * lease up. A round that fails for another reason than verification (the database is down)
   * goes to `onError` and the next round tries again; `ChainVerificationFailed` ends the loop.
   */
  async run(options: { readonly signal: AbortSignal; readonly intervalMs?: number; readonly onError?: (error: unknown) => void }): Promise<void> {
    const intervalMs = options.intervalMs === undefined ? DEFAULT_CHECKPOINTER_INTERVAL_MS : durationMs('intervalMs', options.intervalMs, { min: 1 });
    try {
      while (!options.signal.aborted) {
        try {
          await this.runOnce();
        } catch (error) {
          if (error instanceof ChainVerificationFailed) throw error;
          options.onError?.(error);
        }
        await sleep(systemScheduler, intervalMs, options.signal).catch((error: unknown) => {
          if (!(error instanceof SleepAborted)) throw error;
        });
      }
    } finally {
      await this.release();
    }
  }

  /** Gives the lease up, so another checkpointer can lead at once. */
  async release(): Promise<void> {
    const lease = this.#lease;
    this.#lease = undefined;
    this.#followed = undefined;
    if (lease !== undefined) await this.#leases.release(lease, { now: this.#clock.now() });
  }

  // Renews the lease this checkpointer holds, or claims it; false when another holds it.
  async #holdLease(now: number): Promise<boolean> {
    if (this.#lease !== undefined) {
      try {
        this.#lease = await this.#leases.renew(this.#lease, { now, ttlMs: this.#ttlMs });
        return true;
      } catch (error) {
        if (!(error instanceof FencingTokenRejected)) throw error;
        // Another checkpointer may have signed meanwhile: start again from what is stored.
        this.#lease = undefined;
        this.#followed = undefined;
      }
    }
    await this.#leases.offer({ queue: this.#queue, item: ITEM, readyAt: 0 });
    this.#lease = await this.#leases.claim({ queue: this.#queue, owner: this.#owner, now, ttlMs: this.#ttlMs });
    return this.#lease !== undefined;
  }

  // Verifies the log up to its stored head: all of it, against the stored checkpoints, on the
  // first round as leader; then only the entries appended since.
  async #follow(): Promise<Followed> {
    const followed = this.#followed;
    if (followed === undefined) {
      const [lines, saved] = await Promise.all([this.#store.readLinesFrom(0), this.#checkpoints.readAll()]);
      const calls = new CallLedger();
      const { report, tree } = verifyEntries(lines, { checkpoints: saved, verifier: this.#signer, logId: this.#store.logId }, (entry) => calls.record(entry));
      if (!report.ok) throw new ChainVerificationFailed(report);
      const signedSize = saved.reduce((most, checkpoint) => Math.max(most, checkpoint.size), 0);
      this.#followed = { size: report.size, headHash: report.headHash, signedSize, tree, calls };
      return this.#followed;
    }
    const lines = await this.#store.readLinesFrom(followed.size);
    for (const line of lines) {
      const checked = checkEntry(line, followed.size, followed.headHash, followed.calls, undefined);
      if (typeof checked !== 'string') {
        this.#followed = undefined;
        throw new ChainVerificationFailed({ ok: false, firstBadIndex: checked.index, problem: checked, unfinishedCalls: followed.calls.unfinished() });
      }
      followed.tree.appendHex(checked);
      followed.headHash = checked;
      followed.size++;
    }
    return followed;
  }
}

const ITEM = 'checkpointer';

// One lease queue per log, named after it; lease names hold 200 characters, log ids 256.
function leaseQueue(logId: string): string {
  const name = `audit-trail ${logId}`;
  return name.length <= 200 ? name : `audit-trail sha256:${createHash('sha256').update(logId).digest('hex')}`;
}
