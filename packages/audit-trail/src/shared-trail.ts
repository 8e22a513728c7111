import { randomUUID } from 'node:crypto';
import { systemClock, wholeNumber, type Clock } from '@12-factor-agentops/core';
import { CommitOutcomeUnknown } from '@12-factor-agentops/sql';
import { DEFAULT_MAX_BATCH } from './defaults.ts';
import { CallBook } from './call-book.ts';
import type { AuditRecord } from './entry.ts';
import { routingDecisionRecord, type RoutingDecision } from './routing-record.ts';
import type { SealOutcome, SequencedAuditStore } from './postgres-store.ts';
import { IsoTimestamps } from './timestamp.ts';
import { AuditWriteFailed, CallSequenceError, describe, messageOf, type GateDecision, type RecordedEntry, type ToolCallIntent, type ToolCallOutcome } from './trail.ts';

/** Options of `SharedAuditTrail.open`. */
export interface SharedAuditTrailOptions {
  /** The log, shared with the other appenders: `PostgresAuditStore`. */
  readonly store: SequencedAuditStore;
  /** Default: the wall clock. */
  readonly clock?: Clock;
  /** Makes call ids when the caller gives none; they must be unique across every appender of the log. Default: `crypto.randomUUID`. */
  readonly newCallId?: () => string;
  /** Most entries appended in one transaction. Default 256. */
  readonly maxBatch?: number;
}

interface Pending {
  readonly record: AuditRecord;
  readonly resolve: (entry: RecordedEntry) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One appender of a trail that many processes and hosts append to through one database. The
 * store seals each entry under the log's lock, after whatever head the log has, so the chain
 * never forks. Appends that arrive while a transaction is in flight are committed together in
 * the next (group commit), and each caller's promise resolves once its entry is committed. It
 * holds no signing key and writes no checkpoint: one `AuditCheckpointer` does that for the log.
 */
export class SharedAuditTrail {
  /** The clock that stamps entries. */
  readonly clock: Clock;
  readonly #store: SequencedAuditStore;
  readonly #maxBatch: number;
  readonly #newCallId: () => string;
  readonly #timestamps = new IsoTimestamps();
  // Call ids this appender used, or may have (a commit whose outcome is unknown), and its calls waiting for an outcome.
  readonly #calls = new CallBook();
  readonly #queue: Pending[] = [];
  #draining: Promise<void> | null = null;
  #closed = false;

  private constructor(options: SharedAuditTrailOptions) {
    this.#store = options.store;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#newCallId = options.newCallId ?? randomUUID;
    this.clock = options.clock ?? systemClock;
  }

  /** Opens an appender; `InvalidOptionError` for a bad `maxBatch`. Nothing is read: the head is read under the lock at each append. */
  static async open(options: SharedAuditTrailOptions): Promise<SharedAuditTrail> {
    if (options.maxBatch !== undefined) wholeNumber('maxBatch', options.maxBatch, 1);
    return Promise.resolve(new SharedAuditTrail(options));
  }

  /** Records that a tool call is about to run; resolves once committed, else rejects with `AuditWriteFailed`. */
  recordIntent(call: ToolCallIntent): Promise<RecordedEntry> {
    try {
      const callId = call.callId ?? this.#newCallId();
      if (!this.#calls.take(callId)) throw new CallSequenceError(`call id ${callId} was already used by this appender; give each call its own id`);
      return this.#append({ kind: 'intent', callId, tool: call.tool, args: call.args, actor: call.actor, at: this.#now() });
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Records how a call ended; its intent must have been recorded by this appender and not yet closed. */
  recordOutcome(outcome: ToolCallOutcome): Promise<RecordedEntry> {
    try {
      const record = this.#calls.close(outcome, this.#now());
      if (record === undefined) throw new CallSequenceError(`call ${outcome.callId} has no open intent recorded by this appender: an outcome closes exactly one recorded intent`);
      return this.#append(record);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Records one approval-gate decision with the gate's own actor and time. */
  recordGateDecision(decision: GateDecision): Promise<RecordedEntry> {
    const { event, planId, planHash, actor, at, detail } = decision;
    return this.#append({ kind: 'gate', event, planId, planHash, detail, actor, at });
  }

  /**
   * Records one model-routing decision, as `AuditTrail.recordRoutingDecision` does: a decision
   * whose id is not the SHA-256 of its canonical JSON is refused with `InvalidRecord` and
   * nothing is written.
   */
  recordRoutingDecision(decision: RoutingDecision): Promise<RecordedEntry> {
    return this.#append(routingDecisionRecord(decision));
  }

  /** Commits the appends already requested and closes the store; later appends are refused. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#draining;
    await this.#store.close();
  }

  #now(): string {
    return this.#timestamps.format(this.clock.now());
  }

  #append(record: AuditRecord): Promise<RecordedEntry> {
    return new Promise((resolve, reject) => {
      const pending: Pending = { record, resolve, reject };
      if (this.#closed) {
        this.#notWritten(pending, new AuditWriteFailed(describe(record), 'the trail is closed'));
        return;
      }
      this.#queue.push(pending);
      // Started a microtask later, so that appends requested in the same turn share the first transaction.
      this.#draining ??= Promise.resolve().then(() => this.#drain());
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) await this.#commit(this.#queue.splice(0, this.#maxBatch));
    this.#draining = null;
  }

  async #commit(group: readonly Pending[]): Promise<void> {
    let outcomes: readonly SealOutcome[];
    try {
      outcomes = await this.#store.appendRecords(group.map((pending) => pending.record));
    } catch (error) {
      // Nothing was applied, unless the connection broke while COMMIT was in flight: then these
      // entries may be in the log, so their call ids stay taken and their calls stay closed.
      const unknown = error instanceof CommitOutcomeUnknown;
      const reason = unknown ? `the commit may or may not have applied (${messageOf(error)}); read the log before recording this call again` : messageOf(error);
      for (const pending of group) {
        const refusal = new AuditWriteFailed(describe(pending.record), reason, { cause: error });
        if (unknown) pending.reject(refusal);
        else this.#notWritten(pending, refusal);
      }
      return;
    }
    group.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined || !('sealed' in outcome)) {
        this.#notWritten(pending, outcome === undefined ? new AuditWriteFailed(describe(pending.record), 'the store gave no outcome for it') : outcome.refused);
        return;
      }
      const { record } = pending;
      const { index, hash } = outcome.sealed;
      this.#calls.written(record);
      pending.resolve(record.kind === 'intent' || record.kind === 'outcome' ? { index, hash, callId: record.callId } : { index, hash });
    });
  }

  // Rejects an append that was not written, giving back the call id it took or the call it closed.
  #notWritten({ record, reject }: Pending, error: unknown): void {
    this.#calls.notWritten(record);
    reject(error);
  }
}
