import { DurableAppender, openAppendTarget, readLinesFile, type SyncMode } from '@12-factor-agentops/core';
import type { SignedCheckpoint } from './checkpoint.ts';
import { checkpointLine, readCheckpointLine } from './checkpoint-line.ts';
import type { AuditStore, CheckpointStore } from './store.ts';

/** Options of `FileAuditStore.open`. */
export interface FileAuditStoreOptions {
  /** `per-line` (default): one write and one fdatasync per entry. `per-call`: one of each per group commit. */
  readonly sync?: SyncMode;
}

/**
 * The chain as a JSONL file: one entry per line, appended and fdatasynced before `append`
 * resolves. Opening a file that ends in a partial line throws `TornTail`; it never appends after one.
 */
export class FileAuditStore implements AuditStore {
  readonly #path: string;
  readonly #appender: DurableAppender;

  private constructor(path: string, appender: DurableAppender) {
    this.#path = path;
    this.#appender = appender;
  }

  /** Opens (or creates) the file at `path`; throws `TornTail` if it ends in a partial line. */
  static async open(path: string, options: FileAuditStoreOptions = {}): Promise<FileAuditStore> {
    await readLinesFile(path);
    return new FileAuditStore(path, new DurableAppender(await openAppendTarget(path), options.sync ?? 'per-line'));
  }

  append(lines: readonly string[]): Promise<void> {
    return this.#appender.appendLines(lines);
  }

  /** Reads the lines back from disk as their exact bytes, so what is verified is what is stored. */
  async readLines(): Promise<readonly Uint8Array[]> {
    return (await readLinesFile(this.#path)).lines;
  }

  close(): Promise<void> {
    return this.#appender.close();
  }
}

/** Signed checkpoints as a JSONL file, each fdatasynced before `save` resolves. */
export class FileCheckpointStore implements CheckpointStore {
  readonly #path: string;
  readonly #appender: DurableAppender;

  private constructor(path: string, appender: DurableAppender) {
    this.#path = path;
    this.#appender = appender;
  }

  /** Opens (or creates) the file at `path`; throws `TornTail` if it ends in a partial line. */
  static async open(path: string): Promise<FileCheckpointStore> {
    await readLinesFile(path);
    return new FileCheckpointStore(path, new DurableAppender(await openAppendTarget(path), 'per-line'));
  }

  save(checkpoint: SignedCheckpoint): Promise<void> {
    return this.#appender.appendLines([checkpointLine(checkpoint)]);
  }

  /** Reads every checkpoint back from disk; throws `CheckpointRejected` for a malformed line, bad bytes included. */
  async readAll(): Promise<readonly SignedCheckpoint[]> {
    const { lines, offsets } = await readLinesFile(this.#path);
    return lines.map((line, i) => readCheckpointLine(line, `line ${i + 1} of ${this.#path}`, offsets[i]));
  }

  close(): Promise<void> {
    return this.#appender.close();
  }
}
