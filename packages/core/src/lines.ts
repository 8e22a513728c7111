import { open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * Newline-terminated lines as the exact bytes on disk: nothing is decoded on the way, so a
 * hash computed over a line here equals one computed by any other tool over the same bytes.
 */
export interface ExactLines {
  /** Each complete line without its newline; views into one buffer, never copies. */
  readonly lines: Buffer[];
  /** Byte offset (from the start of what was split) where each line begins. */
  readonly offsets: number[];
  /** Bytes of complete lines, newlines included: where the next read starts. */
  readonly consumed: number;
  /** Bytes after the last newline: a line still being written, or one torn by a crash. */
  readonly tornBytes: number;
}

/** Splits `bytes` into complete lines and a torn remainder; offsets count from `baseOffset`. */
export function splitLines(bytes: Buffer, baseOffset = 0): ExactLines {
  const lines: Buffer[] = [];
  const offsets: number[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0x0a); end !== -1; end = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, end));
    offsets.push(baseOffset + start);
    start = end + 1;
  }
  return { lines, offsets, consumed: start, tornBytes: bytes.length - start };
}

/** A line is not valid UTF-8: on disk, someone or something changed bytes. */
export class InvalidUtf8 extends Error {
  override readonly name = 'InvalidUtf8';
  constructor(
    readonly where: string,
    readonly offset: number,
  ) {
    super(`${where}: the bytes from offset ${offset} are not valid UTF-8, so they were not written by this software; treat the file as tampered with or damaged.`);
  }
}

/**
 * Decodes `bytes` as UTF-8, refusing anything a lossless round trip would change: an invalid
 * sequence (a stray continuation byte, an overlong form, a surrogate, a truncated character)
 * throws `InvalidUtf8` naming `where` and the absolute offset, instead of becoming U+FFFD.
 * A byte-order mark is kept as U+FEFF, never silently dropped.
 */
export function decodeUtf8Exact(bytes: Uint8Array, where: string, offset = 0): string {
  const invalidAt = firstInvalidUtf8(bytes);
  if (invalidAt !== -1) throw new InvalidUtf8(where, offset + invalidAt);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** The index of the first byte that is not part of well-formed UTF-8 (Unicode table 3-7), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const length = bytes.length;
  let index = 0;
  while (index < length) {
    const lead = bytes[index] ?? 0;
    if (lead < 0x80) {
      index++;
      continue;
    }
    let size: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) size = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      size = 3;
      if (lead === 0xe0) low = 0xa0; // no overlong forms
      if (lead === 0xed) high = 0x9f; // no surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      size = 4;
      if (lead === 0xf0) low = 0x90; // no overlong forms
      if (lead === 0xf4) high = 0x8f; // nothing past U+10FFFF
    } else return index;
    if (index + size > length) return index;
    const second = bytes[index + 1] ?? 0;
    if (second < low || second > high) return index;
    for (let next = 2; next < size; next++) {
      const byte = bytes[index + next] ?? 0;
      if (byte < 0x80 || byte > 0xbf) return index;
    }
    index += size;
  }
  return -1;
}

/** A file ends in a partial line: a write was cut short (a crash, a full disk). */
export class TornTail extends Error {
  override readonly name = 'TornTail';
  constructor(
    readonly path: string,
    readonly completeLines: number,
    readonly offset: number,
    readonly tornBytes: number,
  ) {
    super(
      `${path} ends with ${tornBytes} bytes after its last complete line (line ${completeLines}, offset ${offset}): ` +
        'a write was cut short and never acknowledged. Nothing past that line is accepted; keep a copy of the file, ' +
        "then open it with { tornTail: 'repair' } (or call repairTornTail) to cut the partial line off.",
    );
  }
}

/** A torn tail cut off on request: what was removed, so it is reported, never silently absorbed. */
export interface TornTailRepair {
  readonly path: string;
  /** Where the partial line began, which is now the file's size. */
  readonly offset: number;
  readonly removedBytes: number;
  readonly keptLines: number;
}

/** What to do with a partial last line: `'fail'` (default) throws `TornTail`; `'repair'` cuts it off and reports it. */
export type TornTailPolicy = 'fail' | 'repair';

/** Options of `readLinesFile`. */
export interface ReadLinesOptions {
  readonly tornTail?: TornTailPolicy;
  /** Told about a repair as it happens. */
  readonly onRepair?: (repair: TornTailRepair) => void;
}

/** A file's complete lines as exact bytes, and the repair made, if one was. */
export interface LinesFile extends ExactLines {
  readonly repair?: TornTailRepair;
}

/**
 * Reads every complete line of `path` as exact bytes (a missing file reads as empty). A
 * partial last line throws `TornTail`, or with `tornTail: 'repair'` is cut off (truncate,
 * then fdatasync) and reported.
 */
export async function readLinesFile(path: string, options: ReadLinesOptions = {}): Promise<LinesFile> {
  const content = splitLines(await readBytes(path));
  if (content.tornBytes === 0) return content;
  if ((options.tornTail ?? 'fail') === 'fail') throw new TornTail(path, content.lines.length, content.consumed, content.tornBytes);
  const repair = await cutTornTail(path, content.consumed, content);
  options.onRepair?.(repair);
  return { ...content, tornBytes: 0, repair };
}

/** Cuts a partial last line off `path`; returns what was removed (0 bytes when the file was whole). */
export async function repairTornTail(path: string): Promise<TornTailRepair> {
  const content = splitLines(await readBytes(path));
  if (content.tornBytes === 0) return { path, offset: content.consumed, removedBytes: 0, keptLines: content.lines.length };
  return cutTornTail(path, content.consumed, content);
}

async function cutTornTail(path: string, offset: number, content: ExactLines): Promise<TornTailRepair> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(offset);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return { path, offset, removedBytes: content.tornBytes, keptLines: content.lines.length };
}

/** Reads the bytes of an open file from `offset` to its current end (for incremental readers). */
export async function readFrom(handle: FileHandle, offset: number): Promise<Buffer> {
  const { size } = await handle.stat();
  if (size < offset) throw new RangeError(`the file shrank from ${offset} to ${size} bytes while open`);
  const bytes = Buffer.alloc(size - offset);
  for (let read = 0; read < bytes.length; ) {
    const { bytesRead } = await handle.read(bytes, read, bytes.length - read, offset + read);
    if (bytesRead === 0) return bytes.subarray(0, read);
    read += bytesRead;
  }
  return bytes;
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
}

/** The `code` of a Node system error (`'ENOENT'`, `'EEXIST'` …), or undefined. */
export function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}
