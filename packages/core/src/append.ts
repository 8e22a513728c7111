import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Makes a directory's entries durable: a new or renamed file survives a power cut only once this has run. */
export async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** The two operations a durable append needs: a file handle in production, a fake in fault-injection tests. */
export interface AppendTarget {
  /** Appends bytes; returns how many were written, which may be fewer than given. */
  write(data: Buffer): Promise<number>;
  /** Returns once everything written is on stable storage. */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** Opens `path` for appending, creating it if needed and then making its directory entry durable. */
export async function openAppendTarget(path: string): Promise<AppendTarget> {
  const handle = await open(path, 'a');
  try {
    if ((await handle.stat()).size === 0) await syncDirectory(dirname(path));
  } catch (error) {
    await handle.close();
    throw error;
  }
  return {
    write: async (data) => (await handle.write(data, 0, data.length, null)).bytesWritten,
    datasync: () => handle.datasync(),
    close: () => handle.close(),
  };
}

/** The appender will not append: it was closed, or an earlier write failed part-way. */
export class AppenderUnavailable extends Error {
  override readonly name = 'AppenderUnavailable';
}

/** `per-line`: one write and one fdatasync per line. `per-call`: one write and one fdatasync per `appendLines` call. */
export type SyncMode = 'per-line' | 'per-call';

/**
 * Appends newline-terminated lines so that each is either whole on disk or detectably torn,
 * and acknowledges only after fdatasync. After a failed write it refuses further appends:
 * appending after a partial line would bury the damage mid-file, where it could no longer
 * be cut off cleanly. Reopen the file (which reports the torn tail) to go on.
 */
export class DurableAppender {
  readonly #target: AppendTarget;
  readonly #mode: SyncMode;
  #unavailable: string | null = null;
  #closed = false;

  constructor(target: AppendTarget, mode: SyncMode = 'per-call') {
    this.#target = target;
    this.#mode = mode;
  }

  /** Resolves once every line is written and synced; rejects with the first failure. */
  async appendLines(lines: readonly (string | Buffer)[]): Promise<void> {
    if (this.#unavailable !== null) throw new AppenderUnavailable(this.#unavailable);
    const encoded = lines.map((line, index) => {
      const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
      if (bytes.includes(0x0a)) throw new RangeError(`line ${index} of the append contains a newline, which would split it in two; nothing was written`);
      return bytes;
    });
    try {
      if (this.#mode === 'per-call') {
        await this.#writeAndSync(joinLines(encoded));
      } else {
        for (const line of encoded) await this.#writeAndSync(joinLines([line]));
      }
    } catch (error) {
      this.#unavailable = `an earlier write failed part-way (${(error as Error).message}); reopen the file, which reports any torn tail`;
      throw error;
    }
  }

  /** Closes the file; later appends throw `AppenderUnavailable`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unavailable = 'the file is closed; open it again to append';
    await this.#target.close();
  }

  async #writeAndSync(data: Buffer): Promise<void> {
    for (let offset = 0; offset < data.length; ) {
      const written = await this.#target.write(data.subarray(offset));
      if (!(written > 0)) throw new Error(`the write made no progress at byte ${offset} of ${data.length}`);
      offset += written;
    }
    await this.#target.datasync();
  }
}

function joinLines(lines: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const line of lines) parts.push(line, NEWLINE);
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');
