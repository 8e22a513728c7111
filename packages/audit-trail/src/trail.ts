import { DEFAULT_CHECKPOINT_EVERY, DEFAULT_MAX_BATCH } from './defaults.ts';
import { randomUUID } from 'node:crypto';
import { InvalidOptionError, systemClock, wholeNumber, type Clock } from '@12-factor-agentops/core';
import type { JsonValue } from '@12-factor-agentops/approval-gates';
import { logIdProblem, signCheckpoint, type CheckpointSigner, type SignedCheckpoint } from './checkpoint.ts';
import { sealEntry, type AuditRecord, type GateDetail, type SealedEntry } from './entry.ts';
import type { MerkleTree } from './merkle.ts';
import { describeRoutingRecord, routingDecisionRecord, type RoutingDecision } from './routing-record.ts';
import type { AuditStore, CheckpointStore } from './store.ts';
import { CallBook } from './call-book.ts';
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
  /**
   * The most entries acknowledged after the last durable checkpoint. A checkpoint is written
   * as soon as this many follow the last one, and a group commit that would cross that line is
   * cut there: the entries beyond it wait for the checkpoint. Default 100.
   */
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

// An append whose entry has been sealed at its place in the chain.
interface Sealed {
  readonly request: AppendRequest;
  readonly entry: SealedEntry;
}

// What a step of the queue returns: nothing when it finished at once, the promise of a write
// still in flight (which never rejects: a step settles its requests itself), or IDLE.
type Step = Promise<void> | undefined;
const IDLE = Symbol('idle');

const ignore = (): void => undefined;

/**
 * A hash-chained, checkpointed log of tool calls, gate decisions and routing decisions. Appends are serialised;
 * those that arrive while a write is in flight are committed together (group commit), and
 * each caller's promise resolves only once its entry is durable. With a store that answers
 * synchronously, an append is committed before its call returns. At no moment are more than
 * `checkpointEvery` acknowledged entries after the last durable checkpoint.
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
  // Every call id in the log or on its way there, and the calls whose outcome is neither in it nor on its way.
  readonly #calls: CallBook;
  readonly #timestamps = new IsoTimestamps();
  readonly #queue: (AppendRequest | CheckpointRequest)[] = [];
  #running = false;
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
    this.#tree = restored.tree;
    this.#calls = new CallBook(restored.callIds, restored.unfinished);
    this.#head = restored.headHash;
    this.unfinishedAtOpen = restored.unfinished;
    for (const checkpoint of restored.checkpoints) {
      if (checkpoint.size >= (this.#latestCheckpoint?.size ?? 0)) this.#latestCheckpoint = checkpoint;
    }
  }

  /**
   * Opens the trail over what `store` already holds: verifies it against every stored
   * checkpoint first, and throws `ChainVerificationFailed` rather than append to a broken log.
   * Options are checked before anything is read (`InvalidOptionError`).
   */
  static async open(options: AuditTrailOptions): Promise<AuditTrail> {
    const problem = logIdProblem(options.logId);
    if (problem !== undefined) throw new InvalidOptionError('logId', 'a name for the log: 1 to 256 characters, none of them control characters', options.logId);
    if (options.checkpointEvery !== undefined) wholeNumber('checkpointEvery', options.checkpointEvery, 1);
    if (options.maxBatch !== undefined) wholeNumber('maxBatch', options.maxBatch, 1);
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
    try {
      const callId = call.callId ?? this.#newCallId();
      const record: AuditRecord = { kind: 'intent', callId, tool: call.tool, args: call.args, actor: call.actor, at: this.#now() };
      if (!this.#calls.take(callId)) throw new CallSequenceError(`call id ${callId} is already in the log; give each call its own id`);
      return this.#append(record);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Records how a call ended; its intent must be in the log and not yet closed. */
  recordOutcome(outcome: ToolCallOutcome): Promise<RecordedEntry> {
    try {
      const record = this.#calls.close(outcome, this.#now());
      if (record === undefined) throw new CallSequenceError(`call ${outcome.callId} has no open intent: an outcome closes exactly one recorded intent`);
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
   * Records one model-routing decision with the router's own time and the requesting actor;
   * resolves once durable. A decision whose id is not the SHA-256 of its canonical JSON is
   * refused with `InvalidRecord` and nothing is written; a write that fails rejects with
   * `AuditWriteFailed`, and the caller must then not act on the route.
   */
  recordRoutingDecision(decision: RoutingDecision): Promise<RecordedEntry> {
    return this.#append(routingDecisionRecord(decision));
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

  /**
   * Commits the appends already requested, writes a final checkpoint if entries came after the
   * last one, and closes both stores. Appends requested after `close()` are refused.
   */
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

  #append(record: AuditRecord): Promise<RecordedEntry> {
    return new Promise((resolve, reject) => {
      const request: AppendRequest = { kind: 'append', record, resolve, reject };
      if (this.#closed) {
        this.#refuse([request], new Error('the trail is closed'));
        return;
      }
      this.#queue.push(request);
      if (!this.#running) this.#run();
    });
  }

  #enqueueCheckpoint(onlyIfNew: boolean): Promise<SignedCheckpoint | null> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: 'checkpoint', onlyIfNew, resolve, reject });
      if (!this.#running) this.#run();
    });
  }

  // The one path every append and checkpoint takes. It works through the queue and stays
  // synchronous while the stores answer synchronously (a memory store), so such an append is
  // committed before its call returns. At the first write still in flight it waits; the appends
  // that arrive meanwhile are committed after it, as one group.
  #run(): void {
    this.#running = true;
    for (;;) {
      const step = this.#step();
      if (step === IDLE) break;
      if (step !== undefined) {
        void step.then(() => this.#run());
        return;
      }
    }
    this.#running = false;
  }

  #step(): Step | typeof IDLE {
    const next = this.#queue[0];
    if (next === undefined) return IDLE;
    if (next.kind === 'checkpoint') {
      this.#queue.shift();
      return this.#runCheckpoint(next);
    }
    if (this.#unavailable !== null) {
      this.#refuse(this.#takeAppends(this.#queue.length), new Error(this.#unavailable));
      return undefined;
    }
    // A checkpoint that failed after an earlier commit is retried first: nothing more is
    // acknowledged while `checkpointEvery` entries already wait for one.
    if (this.#room() === 0) {
      return this.#writeCheckpoint().then(ignore, (error: unknown) => this.#refuse(this.#takeAppends(this.#queue.length), error));
    }
    // A group stops where the cadence falls: the entries after it wait for that checkpoint.
    return this.#commit(this.#seal(this.#takeAppends(Math.min(this.#maxBatch, this.#room()))));
  }

  #commit(group: readonly Sealed[]): Step {
    if (group.length === 0) return undefined;
    let written: Promise<void> | void;
    try {
      written = this.#store.append(group.map(({ entry }) => entry.line));
    } catch (error) {
      this.#writeFailed(group, error);
      return undefined;
    }
    if (written === undefined) return this.#landed(group);
    return written.then(() => this.#landed(group), (error: unknown) => this.#writeFailed(group, error));
  }

  // The entries are durable: they join the tree and the head, their callers succeed, and the
  // checkpoint the cadence asks for is written. If it fails, the next group retries it first.
  #landed(group: readonly Sealed[]): Step {
    for (const { request, entry } of group) {
      this.#tree.appendHex(entry.hash);
      this.#head = entry.hash;
      const { record } = request;
      this.#calls.written(record);
      request.resolve(record.kind === 'intent' || record.kind === 'outcome' ? { index: entry.index, hash: entry.hash, callId: record.callId } : { index: entry.index, hash: entry.hash });
    }
    return this.#room() === 0 ? this.#writeCheckpoint().then(ignore, ignore) : undefined;
  }

  // Some lines may have landed; only a reopen, which re-reads the store, knows the true head.
  #writeFailed(group: readonly Sealed[], error: unknown): void {
    this.#unavailable = `an audit write failed (${messageOf(error)}); reopen the trail, which re-reads and verifies the store`;
    this.#refuse(group.map(({ request }) => request), error);
  }

  // Rejects appends that were not written with `AuditWriteFailed`.
  #refuse(requests: readonly AppendRequest[], error: unknown): void {
    for (const request of requests) this.#notWritten(request, new AuditWriteFailed(describe(request.record), messageOf(error), { cause: error }));
  }

  // Rejects an append that was not written, giving back the call id it took or the call it closed.
  #notWritten({ record, reject }: AppendRequest, error: unknown): void {
    this.#calls.notWritten(record);
    reject(error);
  }

  // Seals each record at its place after the head; a record that cannot be sealed is refused alone.
  #seal(requests: readonly AppendRequest[]): Sealed[] {
    const group: Sealed[] = [];
    let prevHash = this.#head;
    for (const request of requests) {
      try {
        const entry = sealEntry(request.record, this.size + group.length, prevHash);
        group.push({ request, entry });
        prevHash = entry.hash;
      } catch (error) {
        this.#notWritten(request, error);
      }
    }
    return group;
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

  // Takes up to `limit` appends off the front of the queue, stopping at a checkpoint request.
  #takeAppends(limit: number): AppendRequest[] {
    let end = 0;
    while (end < limit && this.#queue[end]?.kind === 'append') end++;
    return this.#queue.splice(0, end) as AppendRequest[];
  }

  // How many more entries may be acknowledged before a checkpoint must be durable.
  #room(): number {
    return Math.max(0, this.#every - (this.size - (this.#latestCheckpoint?.size ?? 0)));
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
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Names a record in messages: its kind, call id and tool, its gate event and plan, or its routing decision. */
export function describe(record: AuditRecord): string {
  if (record.kind === 'routing') return describeRoutingRecord(record);
  return record.kind === 'gate' ? `gate event ${record.event} on plan ${record.planId}` : `the ${record.kind} of call ${record.callId} (${record.tool})`;
}
