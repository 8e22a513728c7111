import { DEFAULT_CHECKPOINT_EVERY, DEFAULT_MAX_BATCH } from './defaults.ts';
import { randomUUID } from 'node:crypto';
import { InvalidOptionError, systemClock, type Clock } from '@12-factor-agentops/core';
import type { JsonValue } from '@12-factor-agentops/approval-gates';
import { logIdProblem, signCheckpoint, type CheckpointSigner, type SignedCheckpoint } from './checkpoint.ts';
import { sealEntry, type AuditRecord, type GateDetail, type OutcomeRecord, type SealedEntry } from './entry.ts';
import type { MerkleTree } from './merkle.ts';
import type { AuditStore, CheckpointStore } from './store.ts';
import { IsoTimestamps } from './timestamp.ts';
import { verifyEntries, type ChainBroken, type UnfinishedCall } from './verify.ts';

/** Options of `AuditTrail.open`. */
export interface AuditTrailOptions {
  readonly store: AuditStore;
  /** Where signed heads go; keep it out of reach of whoever can rewrite `store`. */
  readonly checkpoints: CheckpointStore;
  readonly signer: CheckpointSigner;
  /**
   * The name of this log, signed into every checkpoint (1 to 256 characters, no control
   * characters), so that a checkpoint of another log signed with the same key is rejected by
   * name. For example `agents.example.org/search-agent/audit`.
   */
  readonly logId: string;
  /** A checkpoint is written once this many entries have been appended since the last one. Default 100. */
  readonly checkpointEvery?: number;
  /** Default: the wall clock. */
  readonly clock?: Clock;
  /** Makes call ids when the caller gives none. Default: `crypto.randomUUID`. */
  readonly newCallId?: () => string;
  /** Most entries handed to the store in one append (one fdatasync with the file store's `per-call` sync). Default 256. */
  readonly maxBatch?: number;
}

/** A tool call about to run. `callId` defaults to a fresh id; it must be unique in the log. */
export interface ToolCallIntent {
  readonly tool: string;
  readonly args: JsonValue;
  readonly actor: string;
  readonly callId?: string;
}

/** How a call ended. `result` is what to keep of its return value; `error` what it threw. */
export interface ToolCallOutcome {
  readonly callId: string;
  readonly status: 'succeeded' | 'failed';
  readonly durationMs: number;
  readonly result?: JsonValue;
  readonly error?: string;
}

/** A gate decision, as the approval-gates audit contract describes it. */
export interface GateDecision {
  readonly event: string;
  readonly planId: string;
  readonly planHash: string;
  readonly actor: string;
  readonly at: string;
  readonly detail: GateDetail;
}

/** Where an entry landed. */
export interface RecordedEntry {
  readonly index: number;
  readonly hash: string;
  readonly callId?: string;
}

/** The sibling hashes (hex) that prove entry `index` is in the log's first `size` entries. */
export interface InclusionProof {
  readonly index: number;
  readonly size: number;
  readonly path: readonly string[];
}

/** Thrown when an entry could not be made durable. Nothing after it is written; a tool call behind it must not run. */
export class AuditWriteFailed extends Error {
  override readonly name = 'AuditWriteFailed';
  constructor(
    readonly what: string,
    readonly reason: string,
    options?: { cause: unknown },
  ) {
    super(`the audit entry for ${what} was not recorded: ${reason}`, options);
  }
}

/** Thrown when an outcome has no open intent, or an intent reuses a call id. */
export class CallSequenceError extends Error {
  override readonly name = 'CallSequenceError';
}

/** Thrown by `AuditTrail.open` when the stored log fails verification: nothing is appended to a broken log. */
export class ChainVerificationFailed extends Error {
  override readonly name = 'ChainVerificationFailed';
  constructor(readonly report: ChainBroken) {
    super(`the stored log fails verification at entry ${report.firstBadIndex}: ${report.problem.message}. Investigate before appending; nothing was written.`);
  }
}

interface AppendRequest {
  readonly kind: 'append';
  readonly record: AuditRecord;
  readonly resolve: (entry: RecordedEntry) => void;
  readonly reject: (error: unknown) => void;
}

interface CheckpointRequest {
  readonly kind: 'checkpoint';
  readonly onlyIfNew: boolean;
  readonly resolve: (checkpoint: SignedCheckpoint | null) => void;
  readonly reject: (error: unknown) => void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// What a step of the queue returns: nothing when it finished at once, or the promise of a write still in flight.
type Step = Promise<void> | undefined;

const ignore = (): void => undefined;

/**
 * A hash-chained, checkpointed log of tool calls and gate decisions. Appends are serialised;
 * those that arrive while a write is in flight are committed together (group commit), and
 * each caller's promise resolves only once its entry is durable. With a store that answers
 * synchronously, an append is committed before its call returns.
 */
export class AuditTrail {
  /** The clock that stamps entries; `recordToolCall` times calls with it too. */
  readonly clock: Clock;
  /** Intents without outcomes found when the trail was opened: calls cut short by a crash. */
  readonly unfinishedAtOpen: readonly UnfinishedCall[];
  readonly #store: AuditStore;
  readonly #checkpoints: CheckpointStore;
  readonly #signer: CheckpointSigner;
  readonly #logId: string;
  readonly #every: number;
  readonly #maxBatch: number;
  readonly #newCallId: () => string;
  readonly #tree: MerkleTree;
  readonly #usedCallIds: Set<string>;
  readonly #openCalls = new Map<string, { readonly tool: string; readonly actor: string }>();
  readonly #timestamps = new IsoTimestamps();
  readonly #queue: (AppendRequest | CheckpointRequest)[] = [];
  #draining = false;
  #head: string;
  #unavailable: string | null = null;
  #closed = false;
  #latestCheckpoint: SignedCheckpoint | null = null;

  private constructor(options: AuditTrailOptions, restored: RestoredLog) {
    this.#store = options.store;
    this.#checkpoints = options.checkpoints;
    this.#signer = options.signer;
    this.#logId = options.logId;
    this.#every = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#newCallId = options.newCallId ?? randomUUID;
    this.clock = options.clock ?? systemClock;
    for (const [name, value] of [['checkpointEvery', this.#every], ['maxBatch', this.#maxBatch]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of 1 or more, got ${value}`);
    }
    this.#tree = restored.tree;
    this.#usedCallIds = restored.callIds;
    this.#head = restored.headHash;
    this.unfinishedAtOpen = restored.unfinished;
    for (const call of restored.unfinished) this.#openCalls.set(call.callId, { tool: call.tool, actor: call.actor });
    for (const checkpoint of restored.checkpoints) {
      if (checkpoint.size >= (this.#latestCheckpoint?.size ?? 0)) this.#latestCheckpoint = checkpoint;
    }
  }

  /**
   * Opens the trail over what `store` already holds: verifies it against every stored
   * checkpoint first, and throws `ChainVerificationFailed` rather than append to a broken log.
   */
  static async open(options: AuditTrailOptions): Promise<AuditTrail> {
    const logIdProblemFound = logIdProblem(options.logId);
    if (logIdProblemFound !== undefined) throw new InvalidOptionError('logId', 'a name for the log: 1 to 256 characters, none of them control characters', options.logId);
    const [lines, checkpoints] = await Promise.all([options.store.readLines(), options.checkpoints.readAll()]);
    // The tree and the call ids are rebuilt from the entries as they are verified: each line is parsed once.
    const callIds = new Set<string>();
    const { report, tree } = verifyEntries(lines, { checkpoints, verifier: options.signer, logId: options.logId }, (entry) => {
      if (entry.kind === 'intent') callIds.add(entry.callId);
    });
    if (!report.ok) throw new ChainVerificationFailed(report);
    return new AuditTrail(options, { tree, callIds, headHash: report.headHash, unfinished: report.unfinishedCalls, checkpoints });
  }

  /** Entries in the log. */
  get size(): number {
    return this.#tree.size;
  }

  /** The hash of the last entry (64 zeros when the log is empty). */
  get headHash(): string {
    return this.#head;
  }

  /** Records that a tool call is about to run; resolves once durable, else rejects with `AuditWriteFailed`. */
  recordIntent(call: ToolCallIntent): Promise<RecordedEntry> {
    // Not an async function: an append the store takes at once costs one settled promise, not three.
    let callId: string | undefined;
    try {
      callId = call.callId ?? this.#newCallId();
      if (this.#usedCallIds.has(callId)) throw new CallSequenceError(`call id ${callId} is already in the log; give each call its own id`);
      const { tool, actor } = call;
      this.#usedCallIds.add(callId);
      const id = callId;
      const entry = this.#append({ kind: 'intent', callId, tool, args: call.args, actor, at: this.#now() });
      if (entry instanceof Promise) {
        return entry.then(
          (recorded) => this.#opened(id, tool, actor, recorded),
          (error: unknown) => {
            this.#usedCallIds.delete(id);
            throw error;
          },
        );
      }
      return Promise.resolve(this.#opened(id, tool, actor, entry));
    } catch (error) {
      // A reused id stays with the call that owns it; a fresh one is released.
      if (!(error instanceof CallSequenceError) && callId !== undefined) this.#usedCallIds.delete(callId);
      return Promise.reject(error as Error);
    }
  }

  /** Records how a call ended; its intent must be in the log and not yet closed. */
  recordOutcome(outcome: ToolCallOutcome): Promise<RecordedEntry> {
    const intent = this.#openCalls.get(outcome.callId);
    if (intent === undefined) return Promise.reject(new CallSequenceError(`call ${outcome.callId} has no open intent: an outcome closes exactly one recorded intent`));
    const { callId, status, durationMs, result, error } = outcome;
    this.#openCalls.delete(callId);
    const record: Mutable<OutcomeRecord> = { kind: 'outcome', callId, tool: intent.tool, status, durationMs, actor: intent.actor, at: '' };
    try {
      record.at = this.#now();
      if (result !== undefined) record.result = result;
      if (error !== undefined) record.error = error;
      const entry = this.#append(record);
      if (!(entry instanceof Promise)) return Promise.resolve(entry);
      return entry.catch((failure: unknown) => {
        this.#openCalls.set(callId, intent);
        throw failure;
      });
    } catch (failure) {
      this.#openCalls.set(callId, intent);
      return Promise.reject(failure as Error);
    }
  }

  /** Records one approval-gate decision with the gate's own actor and time. */
  recordGateDecision(decision: GateDecision): Promise<RecordedEntry> {
    try {
      const { event, planId, planHash, actor, at, detail } = decision;
      const entry = this.#append({ kind: 'gate', event, planId, planHash, detail, actor, at });
      return entry instanceof Promise ? entry : Promise.resolve(entry);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Writes a signed checkpoint of the current head now, after every append already requested. */
  async checkpoint(): Promise<SignedCheckpoint> {
    return (await this.#enqueueCheckpoint(false)) as SignedCheckpoint;
  }

  /** The RFC 9162 Merkle root (hex) over the first `size` entries; default all. */
  rootHash(size: number = this.size): string {
    return this.#tree.root(size).toString('hex');
  }

  /** Proves entry `index` is among the first `size` entries (default all), for a checkpoint of that size. */
  proveInclusion(index: number, size: number = this.size): InclusionProof {
    return { index, size, path: this.#tree.inclusionProof(index, size).map((node) => node.toString('hex')) };
  }

  /** Commits pending appends, writes a final checkpoint if entries came after the last one, and closes both stores. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#unavailable === null) await this.#enqueueCheckpoint(true);
    } finally {
      this.#unavailable = 'the trail is closed';
      await Promise.all([this.#store.close(), this.#checkpoints.close()]);
    }
  }

  #now(): string {
    return this.#timestamps.format(this.clock.now());
  }

  // The common case, nothing queued or in flight and no checkpoint due, is committed here without a
  // request, a closure or a batch; a store that answers synchronously makes it return the entry
  // itself. Errors are thrown: the public methods turn them into rejections.
  #append(record: AuditRecord): RecordedEntry | Promise<RecordedEntry> {
    if (this.#draining || this.#unavailable !== null || this.#checkpointDue()) {
      return new Promise((resolve, reject) => {
        this.#queue.push({ kind: 'append', record, resolve, reject });
        this.#drain();
      });
    }
    const sealed = sealEntry(record, this.size, this.#head);
    let written: Promise<void> | void;
    try {
      written = this.#store.append([sealed.line]);
    } catch (error) {
      throw this.#writeFailed(record, error);
    }
    if (written === undefined) {
      const entry = this.#recorded(record, sealed);
      if (this.#checkpointDue()) this.#wait(this.#checkpointAfterCommit());
      return entry;
    }
    // Appends that arrive while this write is in flight queue behind it and commit as one group.
    this.#draining = true;
    return written.then(
      () => {
        const entry = this.#recorded(record, sealed);
        this.#wait(this.#checkpointDue() ? this.#checkpointAfterCommit() : undefined);
        return entry;
      },
      (error: unknown) => {
        const failure = this.#writeFailed(record, error);
        this.#resume();
        throw failure;
      },
    );
  }

  #enqueueCheckpoint(onlyIfNew: boolean): Promise<SignedCheckpoint | null> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: 'checkpoint', onlyIfNew, resolve, reject });
      this.#drain();
    });
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#resume();
  }

  // Holds the queue until `step` settles, then works through it.
  #wait(step: Step): void {
    this.#draining = true;
    if (step === undefined) this.#resume();
    else void step.then(() => this.#resume());
  }

  // Works through the queue. It stays synchronous while the stores answer synchronously (a memory
  // store), so such an append costs no extra promise turn. At the first write still in flight it
  // waits, and the appends that arrive meanwhile are committed after it as one group.
  #resume(): void {
    while (this.#queue.length > 0) {
      const first = this.#queue[0] as AppendRequest | CheckpointRequest;
      let step: Step;
      if (first.kind === 'checkpoint') {
        this.#queue.shift();
        step = this.#runCheckpoint(first);
      } else {
        let end = 1;
        while (end < this.#maxBatch && this.#queue[end]?.kind === 'append') end++;
        step = this.#commit(this.#queue.splice(0, end) as AppendRequest[]);
      }
      // Steps settle their requests themselves and never reject.
      if (step !== undefined) {
        void step.then(() => this.#resume());
        return;
      }
    }
    this.#draining = false;
  }

  #runCheckpoint(request: CheckpointRequest): Step {
    if (this.#unavailable !== null) {
      request.reject(new AuditWriteFailed('a checkpoint', this.#unavailable));
      return undefined;
    }
    if (request.onlyIfNew && this.#latestCheckpoint?.size === this.size) {
      request.resolve(null);
      return undefined;
    }
    return this.#writeCheckpoint().then(request.resolve, request.reject);
  }

  #commit(batch: readonly AppendRequest[]): Step {
    if (this.#unavailable !== null) {
      this.#refuse(batch, new Error(this.#unavailable));
      return undefined;
    }
    // A checkpoint that failed earlier is retried first: nothing new is appended while the log cannot be anchored.
    if (this.#checkpointDue()) {
      return this.#writeCheckpoint().then(() => this.#write(batch), (error: unknown) => this.#refuse(batch, error));
    }
    return this.#write(batch);
  }

  #write(batch: readonly AppendRequest[]): Step {
    const accepted: { request: AppendRequest; sealed: SealedEntry }[] = [];
    const lines: string[] = [];
    let prevHash = this.#head;
    for (const request of batch) {
      try {
        const sealed = sealEntry(request.record, this.size + accepted.length, prevHash);
        accepted.push({ request, sealed });
        lines.push(sealed.line);
        prevHash = sealed.hash;
      } catch (error) {
        request.reject(error);
      }
    }
    if (accepted.length === 0) return undefined;
    let written: Promise<void> | void;
    try {
      written = this.#store.append(lines);
    } catch (error) {
      this.#batchFailed(accepted, error);
      return undefined;
    }
    if (written === undefined) return this.#accept(accepted);
    return written.then(() => this.#accept(accepted), (error: unknown) => this.#batchFailed(accepted, error));
  }

  // The entries are durable: they join the tree and the head, and their callers succeed.
  #accept(accepted: readonly { request: AppendRequest; sealed: SealedEntry }[]): Step {
    for (const { request, sealed } of accepted) request.resolve(this.#recorded(request.record, sealed));
    return this.#checkpointDue() ? this.#checkpointAfterCommit() : undefined;
  }

  #recorded(record: AuditRecord, sealed: SealedEntry): RecordedEntry {
    this.#tree.appendHex(sealed.hash);
    this.#head = sealed.hash;
    return record.kind === 'gate' ? { index: sealed.index, hash: sealed.hash } : { index: sealed.index, hash: sealed.hash, callId: record.callId };
  }

  #opened(callId: string, tool: string, actor: string, entry: RecordedEntry): RecordedEntry {
    this.#openCalls.set(callId, { tool, actor });
    return entry;
  }

  // The callers succeed even if this checkpoint fails; the next commit retries it first.
  #checkpointAfterCommit(): Promise<void> {
    return this.#writeCheckpoint().then(ignore, ignore);
  }

  // Some lines may have landed; only a reopen, which re-reads the store, knows the true head.
  #writeFailed(record: AuditRecord, error: unknown): AuditWriteFailed {
    this.#unavailable = `an audit write failed (${messageOf(error)}); reopen the trail, which re-reads and verifies the store`;
    return refused(record, error);
  }

  #batchFailed(accepted: readonly { request: AppendRequest }[], error: unknown): void {
    for (const { request } of accepted) request.reject(this.#writeFailed(request.record, error));
  }

  #refuse(batch: readonly AppendRequest[], error: unknown): void {
    for (const request of batch) request.reject(refused(request.record, error));
  }

  #checkpointDue(): boolean {
    return this.size - (this.#latestCheckpoint?.size ?? 0) >= this.#every;
  }

  async #writeCheckpoint(): Promise<SignedCheckpoint> {
    const size = this.size;
    const checkpoint = signCheckpoint({ logId: this.#logId, size, headHash: this.#head, rootHash: this.rootHash(size), at: this.#now() }, this.#signer);
    await this.#checkpoints.save(checkpoint);
    this.#latestCheckpoint = checkpoint;
    return checkpoint;
  }
}

// What the log held when the trail was opened, rebuilt while verifying it.
interface RestoredLog {
  readonly tree: MerkleTree;
  readonly callIds: Set<string>;
  readonly headHash: string;
  readonly unfinished: readonly UnfinishedCall[];
  readonly checkpoints: readonly SignedCheckpoint[];
}

// A store may reject with anything; the queue must not stall on a rejection that is not an Error.
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function refused(record: AuditRecord, error: unknown): AuditWriteFailed {
  return new AuditWriteFailed(describe(record), messageOf(error), { cause: error });
}

function describe(record: AuditRecord): string {
  return record.kind === 'gate' ? `gate event ${record.event} on plan ${record.planId}` : `the ${record.kind} of call ${record.callId} (${record.tool})`;
}
