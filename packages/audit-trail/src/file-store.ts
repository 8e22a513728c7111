import { canonicalJson } from '@12-factor-agentops/approval-gates';
import { parseCheckpoint, type SignedCheckpoint } from './checkpoint.ts';
import { DurableAppender, TornTail, openAppendTarget, readCompleteLines, readJsonlFile, type SyncMode } from './jsonl-file.ts';
import type { AuditStore, CheckpointStore } from './store.ts';

/** Options of `FileAuditStore.open`. */
export interface FileAuditStoreOptions {
  /** `per-entry` (default): one write and one fsync per line. `per-batch`: one of each per group of lines. */
  readonly sync?: SyncMode;
}

/**
 * The chain as a JSONL file: one entry per line, appended and fsynced before `append` resolves.
 * Opening a file that ends in a partial line throws `TornTail`; it never appends after one.
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
    const content = await readJsonlFile(path);
    if (content.tornBytes > 0) throw new TornTail(path, content.lines.length, content.tornBytes);
    return new FileAuditStore(path, new DurableAppender(await openAppendTarget(path), options.sync ?? 'per-entry'));
  }

  append(lines: readonly string[]): Promise<void> {
    return this.#appender.appendLines(lines);
  }

  /** Reads the lines back from disk, so what is verified is what was stored. */
  readLines(): Promise<readonly string[]> {
    return readCompleteLines(this.#path);
  }

  close(): Promise<void> {
    return this.#appender.close();
  }
}

/** Signed checkpoints as a JSONL file, each fsynced before `save` resolves. */
export class FileCheckpointStore implements CheckpointStore {
  readonly #path: string;
  readonly #appender: DurableAppender;

  private constructor(path: string, appender: DurableAppender) {
    this.#path = path;
    this.#appender = appender;
  }

  /** Opens (or creates) the file at `path`; throws `TornTail` if it ends in a partial line. */
  static async open(path: string): Promise<FileCheckpointStore> {
    const content = await readJsonlFile(path);
    if (content.tornBytes > 0) throw new TornTail(path, content.lines.length, content.tornBytes);
    return new FileCheckpointStore(path, new DurableAppender(await openAppendTarget(path), 'per-entry'));
  }

  save(checkpoint: SignedCheckpoint): Promise<void> {
    const { size, headHash, rootHash, at, algorithm, signature } = checkpoint;
    return this.#appender.appendLines([canonicalJson({ algorithm, at, headHash, rootHash, signature, size })]);
  }

  /** Reads every checkpoint back from disk; throws `CheckpointRejected` for a malformed line. */
  async readAll(): Promise<readonly SignedCheckpoint[]> {
    return (await readCompleteLines(this.#path)).map((line) => parseCheckpoint(line));
  }

  close(): Promise<void> {
    return this.#appender.close();
  }
}
