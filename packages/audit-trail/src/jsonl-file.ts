import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Thrown when a file ends in a partial line: a write was cut short (a crash, a full disk). */
export class TornTail extends Error {
  override readonly name = 'TornTail';
  constructor(
    readonly path: string,
    readonly completeLines: number,
    readonly tornBytes: number,
  ) {
    super(
      `${path} ends with ${tornBytes} bytes after its last complete line (line ${completeLines}): a write was cut short. ` +
        'Nothing past that line is accepted; keep a copy of the file, then call repairTornTail() to cut the partial line off.',
    );
  }
}

/** Thrown when a store will not append: it was closed, or an earlier write failed part-way. */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
}

/** A file's complete lines, and the size of any partial line after them. */
export interface JsonlContent {
  readonly lines: string[];
  readonly tornBytes: number;
}

/** Reads a file of newline-terminated lines; a missing file reads as empty. */
export async function readJsonlFile(path: string): Promise<JsonlContent> {
  return splitLines(await readBytes(path));
}

/** Reads a file and throws `TornTail` if it ends in a partial line. */
export async function readCompleteLines(path: string): Promise<string[]> {
  const content = await readJsonlFile(path);
  if (content.tornBytes > 0) throw new TornTail(path, content.lines.length, content.tornBytes);
  return content.lines;
}

/**
 * Cuts a partial last line off `path`: the explicit repair after `TornTail`. Returns how many
 * bytes were removed (0 when the file was whole) and how many complete lines remain.
 */
export async function repairTornTail(path: string): Promise<{ readonly removedBytes: number; readonly keptLines: number }> {
  const bytes = await readBytes(path);
  const content = splitLines(bytes);
  if (content.tornBytes > 0) {
    const handle = await open(path, 'r+');
    try {
      await handle.truncate(bytes.length - content.tornBytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  return { removedBytes: content.tornBytes, keptLines: content.lines.length };
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
}

function splitLines(bytes: Buffer): JsonlContent {
  const end = bytes.lastIndexOf(0x0a) + 1;
  const text = bytes.subarray(0, end).toString('utf8');
  return { lines: text === '' ? [] : text.slice(0, -1).split('\n'), tornBytes: bytes.length - end };
}

/** The two operations a durable append needs; a file handle in production, a fake in tests. */
export interface AppendTarget {
  /** Appends bytes; returns how many were written, which may be fewer than given. */
  write(data: Buffer): Promise<number>;
  /** Returns once everything written is on stable storage. */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** `per-entry`: one write and one fsync per line. `per-batch`: one write and one fsync per append call. */
export type SyncMode = 'per-entry' | 'per-batch';

/** Opens `path` for appending, creating it (and making its directory entry durable) if needed. */
export async function openAppendTarget(path: string): Promise<AppendTarget> {
  const handle = await open(path, 'a');
  // A new file survives a crash only once its directory entry is on disk too.
  if ((await handle.stat()).size === 0) {
    const directory = await open(dirname(path), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
  return {
    write: async (data) => (await handle.write(data, 0, data.length, null)).bytesWritten,
    datasync: () => handle.datasync(),
    close: () => handle.close(),
  };
}

/**
 * Appends newline-terminated lines so that each is either whole on disk or detectably torn.
 * After a failed write it refuses further appends: appending after a partial line would bury
 * the damage mid-file, where it could no longer be cut off cleanly.
 */
export class DurableAppender {
  readonly #target: AppendTarget;
  readonly #mode: SyncMode;
  #unavailable: string | null = null;
  #closed = false;

  constructor(target: AppendTarget, mode: SyncMode) {
    this.#target = target;
    this.#mode = mode;
  }

  /** Resolves once every line is written and synced; rejects with the first failure. */
  async appendLines(lines: readonly string[]): Promise<void> {
    if (this.#unavailable !== null) throw new StoreUnavailable(this.#unavailable);
    for (const line of lines) {
      if (line.includes('\n')) throw new RangeError('a line to append contains a newline, which would split it in two; nothing was written');
    }
    try {
      if (this.#mode === 'per-batch') {
        await this.#writeAndSync(lines.map((line) => `${line}\n`).join(''));
      } else {
        for (const line of lines) await this.#writeAndSync(`${line}\n`);
      }
    } catch (error) {
      this.#unavailable = `an earlier write failed part-way (${(error as Error).message}); reopen the store, which reports any torn tail`;
      throw error;
    }
  }

  /** Closes the file; later appends throw `StoreUnavailable`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unavailable = 'the store is closed; open it again to append';
    await this.#target.close();
  }

  async #writeAndSync(text: string): Promise<void> {
    const data = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < data.length; ) {
      const written = await this.#target.write(data.subarray(offset));
      if (written <= 0) throw new Error(`the write made no progress at byte ${offset} of ${data.length}`);
      offset += written;
    }
    await this.#target.datasync();
  }
}
