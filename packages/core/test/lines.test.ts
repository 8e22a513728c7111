import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidUtf8, TornTail, decodeUtf8Exact, firstInvalidUtf8, readLinesFile, repairTornTail, splitLines } from '../src/index.ts';
import { useTempDir } from './support/temp.ts';

const tempDir = useTempDir();
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodesStrictly(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('splitLines', () => {
  it('gives back exactly the bytes it was given: lines, newlines and the torn rest', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(1_000), (raw, base) => {
        // Sprinkle newlines so lines of every length occur.
        const bytes = Buffer.from(raw.map((byte) => (byte % 7 === 0 ? 0x0a : byte)));
        const split = splitLines(bytes, base);
        const rebuilt = Buffer.concat([...split.lines.flatMap((line) => [line, Buffer.from('\n')]), bytes.subarray(split.consumed)]);
        expect(rebuilt.equals(bytes)).toBe(true);
        expect(split.consumed + split.tornBytes).toBe(bytes.length);
        split.lines.forEach((line, index) => {
          expect(line.includes(0x0a)).toBe(false);
          expect(bytes.subarray((split.offsets[index] ?? 0) - base).subarray(0, line.length).equals(line)).toBe(true);
        });
      }),
    );
  });
});

describe('decodeUtf8Exact', () => {
  it('accepts exactly what a strict UTF-8 decoder accepts, and round-trips it byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const valid = decodesStrictly(bytes);
        expect(firstInvalidUtf8(bytes) === -1).toBe(valid);
        if (valid) expect(Buffer.from(decodeUtf8Exact(bytes, 'test')).equals(Buffer.from(bytes))).toBe(true);
        else expect(() => decodeUtf8Exact(bytes, 'test')).toThrow(InvalidUtf8);
      }),
      { numRuns: 5_000 },
    );
  });

  it('agrees with a strict decoder on real text with one byte changed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (text, at, byte) => {
        const bytes = Buffer.from(text);
        bytes[at % bytes.length] = byte;
        expect(firstInvalidUtf8(bytes) === -1).toBe(decodesStrictly(bytes));
      }),
      { numRuns: 5_000 },
    );
  });

  it('names the offset of the first bad byte, counted from the start of the file', () => {
    const bytes = Buffer.from([0x61, 0x62, 0xc3, 0x28]);
    expect(() => decodeUtf8Exact(bytes, 'audit.jsonl line 3', 100)).toThrow('audit.jsonl line 3: the bytes from offset 102 are not valid UTF-8');
  });

  it('keeps a byte-order mark instead of dropping it', () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]);
    expect(decodeUtf8Exact(bytes, 'x')).toBe('\uFEFF{}');
  });

  it.each([
    ['an overlong slash', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated character', [0xe2, 0x82]],
    ['a stray continuation byte', [0x80]],
  ])('refuses %s', (_label, bytes) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(0);
  });
});

describe('readLinesFile', () => {
  it('reads a missing file as empty', async () => {
    const content = await readLinesFile(join(await tempDir(), 'none.jsonl'));
    expect(content.lines).toEqual([]);
  });

  it('throws TornTail with the byte counts when the last line is partial, and changes nothing', async () => {
    const path = join(await tempDir(), 'log.jsonl');
    await writeFile(path, '{"a":1}\n{"b":2}\n{"c"');
    await expect(readLinesFile(path)).rejects.toThrow(TornTail);
    await expect(readLinesFile(path)).rejects.toMatchObject({ completeLines: 2, offset: 16, tornBytes: 4 });
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c"');
  });

  it("cuts a torn tail off only with tornTail: 'repair', and reports what it removed", async () => {
    const path = join(await tempDir(), 'log.jsonl');
    await writeFile(path, '{"a":1}\n{"c"');
    const reported: unknown[] = [];
    const content = await readLinesFile(path, { tornTail: 'repair', onRepair: (repair) => reported.push(repair) });
    expect(content.lines.map(String)).toEqual(['{"a":1}']);
    expect(content.repair).toEqual({ path, offset: 8, removedBytes: 4, keptLines: 1 });
    expect(reported).toEqual([content.repair]);
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
    expect(await repairTornTail(path)).toEqual({ path, offset: 8, removedBytes: 0, keptLines: 1 });
  });

  it('hands back invalid UTF-8 untouched, for the caller to hash or refuse', async () => {
    const path = join(await tempDir(), 'log.jsonl');
    const line = Buffer.from([0x7b, 0xff, 0x7d]);
    await writeFile(path, Buffer.concat([line, Buffer.from('\n')]));
    const content = await readLinesFile(path);
    expect(content.lines[0]?.equals(line)).toBe(true);
  });
});
