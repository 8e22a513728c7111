import type { SignedCheckpoint } from './checkpoint.ts';
import type { StoredLine } from './entry.ts';

/**
 * Where the chain's lines live. The trail is the only writer: it calls `append` one call at a
 * time, each with the lines of one group commit, and `readLines` only while opening. A store
 * appends in order and never rewrites, reorders or drops a line it acknowledged. The suites in
 * test/store-contract.ts check an implementation against this contract.
 */
export interface AuditStore {
  /**
   * Appends `lines` (each without a newline, as the trail sealed it) after the last stored
   * line. Returns a promise that resolves once all of them are durable, or nothing when they
   * already are on return (a memory store), which lets the trail commit without waiting for a
   * promise turn. When it rejects or throws, a suffix of the lines may be missing, never
   * reordered; the trail then refuses appends until it is reopened, so the store may too.
   */
  append(lines: readonly string[]): Promise<void> | void;
  /**
   * Every stored line, oldest first, exactly as stored: the bytes, or text whose UTF-8 encoding
   * is those bytes. Never repair or re-encode a line on the way (no U+FFFD for bad bytes, no
   * normalisation, no re-serialised JSON): the verifier must see what an intruder left.
   */
  readLines(): Promise<readonly StoredLine[]>;
  /** Releases the store; the trail appends nothing after it. */
  close(): Promise<void>;
}

/**
 * Where signed checkpoints live: apart from the log, ideally where the log's writer cannot
 * delete them. A checkpoint is taken as durable once `save` resolves.
 */
export interface CheckpointStore {
  save(checkpoint: SignedCheckpoint): Promise<void>;
  /** Every saved checkpoint, oldest first, field for field as saved. */
  readAll(): Promise<readonly SignedCheckpoint[]>;
  close(): Promise<void>;
}

/** Keeps lines in memory: for tests and demos; everything is lost with the process. */
export class MemoryAuditStore implements AuditStore {
  readonly #lines: string[];

  /** Starts with a copy of `lines` (default: none), so a test can begin from a log it altered. */
  constructor(lines: readonly string[] = []) {
    this.#lines = [...lines];
  }

  /** Stores `lines` at once: they are as durable as they will get when it returns. */
  append(lines: readonly string[]): void {
    for (const line of lines) this.#lines.push(line);
  }

  readLines(): Promise<readonly string[]> {
    return Promise.resolve([...this.#lines]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Keeps checkpoints in memory: for tests and demos. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #checkpoints: SignedCheckpoint[];

  constructor(checkpoints: readonly SignedCheckpoint[] = []) {
    this.#checkpoints = [...checkpoints];
  }

  save(checkpoint: SignedCheckpoint): Promise<void> {
    this.#checkpoints.push(checkpoint);
    return Promise.resolve();
  }

  readAll(): Promise<readonly SignedCheckpoint[]> {
    return Promise.resolve([...this.#checkpoints]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
