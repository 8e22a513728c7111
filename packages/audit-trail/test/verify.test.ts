import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, entryHash, sealEntry, splitLine } from '../src/entry.ts';
import {
  AuditTrail,
  CheckpointRejected,
  CheckpointRootMismatch,
  MemoryAuditStore,
  MemoryCheckpointStore,
  canonicalJson,
  hmacSha256Signer,
  signCheckpoint,
  verifyChain,
  type ChainBroken,
  type SignedCheckpoint,
  type StoredLine,
} from '../src/index.ts';
import { InvalidOptionError } from '@12-factor-agentops/core';
import { LOG_ID, firstDifference, openFixture, signer, stepArbitrary, trusted, writeLog, type Step } from './support.ts';

const logArbitrary = fc.array(stepArbitrary, { minLength: 1, maxLength: 10 });
const RUNS = { numRuns: 60 };

function hashAt(lines: readonly string[], index: number): string {
  return index < 0 ? GENESIS_HASH : (splitLine(lines[index] as string) as { storedHash: string }).storedHash;
}

// An entry an intruder seals at `at`, linked to the real entry before it, so it passes on its own.
function forgeAt(lines: readonly string[], at: number): string {
  const record = { kind: 'gate' as const, event: 'approval.granted', planId: 'plan-9', planHash: 'cd'.repeat(32), detail: {}, actor: 'intruder', at: '2026-01-05T09:00:00.000Z' };
  return sealEntry(record, at, hashAt(lines, at - 1)).line;
}

function failure(lines: readonly StoredLine[], checkpoints: Parameters<typeof verifyChain>[1] = {}): ChainBroken {
  const report = verifyChain(lines, checkpoints);
  if (report.ok) throw new Error('expected verification to fail, but the log verified');
  return report;
}

describe('verifyChain on an untouched log', () => {
  it('verifies every log the trail writes, reporting its size and head', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, async (steps) => {
      const { lines, checkpoints } = await writeLog(steps);
      const report = verifyChain(lines, trusted(checkpoints));
      expect(report).toMatchObject({ ok: true, size: lines.length, headHash: hashAt(lines, lines.length - 1), checkpointsChecked: 1 });
    }), RUNS);
  });

  it('reports intents without outcomes as unfinished calls, not as tampering', async () => {
    const steps: Step[] = [
      { kind: 'call', tool: 'read_file', args: { path: 'a.md' }, ends: 'succeeded' },
      { kind: 'call', tool: 'run_tests', args: ['--all'], ends: 'never' },
      { kind: 'call', tool: 'read_file', args: { path: 'b.md' }, ends: 'failed' },
    ];
    const { lines } = await writeLog(steps);
    const report = verifyChain(lines);
    expect(report.ok).toBe(true);
    expect(report.unfinishedCalls).toEqual([{ index: 2, callId: 'call-0001', tool: 'run_tests', actor: 'agent-1', at: expect.any(String) as unknown }]);
  });
});

describe('verifyChain after one mutation, with a checkpoint over the whole log', () => {
  it('reports an edited character at the entry that holds it', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), fc.nat(), fc.constantFrom('0', 'f', 'A', '"', '\\', '}', ' ', 'é', '\n'), async (steps, pickLine, pickChar, replacement) => {
      const { lines, checkpoints } = await writeLog(steps);
      const index = pickLine % lines.length;
      const line = lines[index] as string;
      const at = pickChar % line.length;
      fc.pre(line[at] !== replacement);
      lines[index] = line.slice(0, at) + replacement + line.slice(at + 1);
      const report = failure(lines, trusted(checkpoints));
      expect(report.firstBadIndex).toBe(index);
      expect(['hash-mismatch', 'malformed']).toContain(report.problem.kind);
    }), RUNS);
  });

  it('reports a deleted entry at its position, including the last one', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), async (steps, pick) => {
      const { lines, checkpoints } = await writeLog(steps);
      const index = pick % lines.length;
      lines.splice(index, 1);
      expect(failure(lines, trusted(checkpoints)).firstBadIndex).toBe(index);
    }), RUNS);
  });

  it('reports an inserted copy of an entry at the first position that differs', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), fc.nat(), async (steps, pickAt, pickCopy) => {
      const { lines, checkpoints } = await writeLog(steps);
      const mutated = [...lines];
      mutated.splice(pickAt % (lines.length + 1), 0, lines[pickCopy % lines.length] as string);
      expect(failure(mutated, trusted(checkpoints)).firstBadIndex).toBe(firstDifference(lines, mutated));
    }), RUNS);
  });

  it('reports an inserted entry forged to link to its predecessor at the entry after it, which no longer fits', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), async (steps, pick) => {
      const { lines, checkpoints } = await writeLog(steps);
      const at = pick % lines.length;
      lines.splice(at, 0, forgeAt(lines, at));
      const report = failure(lines);
      expect(report.firstBadIndex).toBe(at + 1);
      expect(report.problem.message).toBe(`position ${at + 1} holds entry ${at}: an entry was inserted before it, or the log was reordered`);
      // A checkpoint over the forged position may catch it first, as a range that contains it.
      const anchored = failure(lines, trusted(checkpoints));
      if (anchored.problem.kind === 'rewritten') {
        expect(anchored.firstBadIndex).toBeLessThanOrEqual(at);
        expect(anchored.problem.checkpointSize).toBeGreaterThan(at);
      } else {
        expect(anchored.firstBadIndex).toBe(at + 1);
      }
    }), RUNS);
  });

  it('reports an entry replaced by a re-hashed forgery at the entry after it, whose link no longer fits', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), async (steps, pick) => {
      const { lines } = await writeLog(steps);
      fc.pre(lines.length > 1);
      const at = pick % (lines.length - 1);
      const replaced = forgeAt(lines, at);
      lines[at] = replaced;
      const report = failure(lines);
      expect(report.firstBadIndex).toBe(at + 1);
      expect(report.problem).toMatchObject({ kind: 'broken-link', expected: hashAt(lines, at) });
      expect(report.problem.message).toMatch(new RegExp(`^entry ${at + 1} links to [0-9a-f]{12}… but the entry before it hashes to [0-9a-f]{12}…: that entry was replaced, or this one forged$`));
    }), RUNS);
  });

  it('reports two swapped entries at the earlier position', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary.filter((steps) => steps.length > 1), fc.nat(), fc.nat(), async (steps, pickA, pickB) => {
      const { lines, checkpoints } = await writeLog(steps);
      const [i, j] = [pickA % lines.length, pickB % lines.length].sort((a, b) => a - b) as [number, number];
      fc.pre(i !== j);
      [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
      expect(failure(lines, trusted(checkpoints)).firstBadIndex).toBe(i);
    }), RUNS);
  });

  it('reports a truncated tail at the first missing entry', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), async (steps, pick) => {
      const { lines, checkpoints } = await writeLog(steps);
      const keep = pick % lines.length;
      const report = failure(lines.slice(0, keep), trusted(checkpoints));
      expect(report.firstBadIndex).toBe(keep);
      expect(report.problem).toMatchObject({ kind: 'truncated', checkpointSize: lines.length });
    }), RUNS);
  });
});

describe('what a checkpoint adds', () => {
  const calls = (n: number): Step[] => Array.from({ length: n }, (_, i) => ({ kind: 'call', tool: 'read_file', args: { page: i }, ends: 'succeeded' }));

  it('cannot see a truncation after the last checkpoint, by design, and sees it once a checkpoint covers the lost entries', async () => {
    const { lines, checkpoints } = await writeLog(calls(12), { checkpointEvery: 10 });
    const early = checkpoints.filter((c) => c.size <= 20);
    expect(early.map((c) => c.size)).toEqual([10, 20]);
    expect(verifyChain(lines.slice(0, 21), trusted(early))).toMatchObject({ ok: true, size: 21 });
    expect(failure(lines.slice(0, 17), trusted(early)).problem.message).toContain('entries 17..19 were removed');
    expect(failure(lines.slice(0, 19), trusted(early)).problem.message).toBe(
      'the log holds 19 entries but a checkpoint vouches for 20: entry 19 was removed',
    );
  });

  it('catches a rewrite whose author recomputed every later hash, between the checkpoints around it', async () => {
    const { lines, checkpoints } = await writeLog(calls(12), { checkpointEvery: 5 });
    // Rewrite the arguments of entry 6 (an intent) and re-seal it and everything after it: the chain alone is consistent again.
    const rewritten = lines.slice(0, 6);
    for (let i = 6; i < lines.length; i++) {
      const entry = JSON.parse((splitLine(lines[i] as string) as { body: string }).body) as Record<string, unknown>;
      if (i === 6) entry.args = { page: 'rewritten' };
      const { index: _index, prevHash: _prevHash, ...record } = entry;
      rewritten.push(sealEntry(record as never, i, hashAt(rewritten, i - 1)).line);
    }
    expect(rewritten[6]).not.toBe(lines[6]);
    expect(verifyChain(rewritten).ok).toBe(true);
    const report = failure(rewritten, trusted(checkpoints));
    expect(report.problem).toMatchObject({ kind: 'rewritten', index: 5, checkpointSize: 10 });
    expect(report.problem.message).toContain('entries 5..9 do not match the checkpoint signed at size 10');
  });

  it('rejects a checkpoint whose head matches the log but whose Merkle root does not, naming both roots', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (steps, pick, bytes) => {
      const { lines, checkpoints } = await writeLog(steps, { checkpointEvery: 3 });
      const genuine = checkpoints[pick % checkpoints.length] as SignedCheckpoint;
      const wrongRoot = Buffer.from(bytes).toString('hex');
      fc.pre(wrongRoot !== genuine.rootHash);
      // Signed with the log's own key: only the root is wrong.
      const forged = signCheckpoint({ ...genuine, rootHash: wrongRoot }, signer);
      const rejection = (() => {
        try {
          verifyChain(lines, trusted([...checkpoints, forged]));
        } catch (error) {
          return error;
        }
        throw new Error('expected verifyChain to reject the checkpoint, but it accepted it');
      })();
      expect(rejection).toBeInstanceOf(CheckpointRootMismatch);
      expect(rejection).toBeInstanceOf(CheckpointRejected);
      expect(rejection).toMatchObject({ size: genuine.size, signedRoot: wrongRoot, calculatedRoot: genuine.rootHash });
      expect((rejection as Error).message).toBe(
        `checkpoint at size ${genuine.size} rejected: its head hash matches this log, but its Merkle root ${wrongRoot} is not the root of ` +
          `${genuine.size === 0 ? 'an empty log' : `entries 0..${genuine.size - 1}`}, ${genuine.rootHash}: it was signed over a root that no trail computed for this log, so no inclusion proof checked against it can be trusted`,
      );
      await expect(AuditTrail.open({ store: new MemoryAuditStore(lines), checkpoints: new MemoryCheckpointStore([forged]), signer, logId: LOG_ID })).rejects.toThrow(rejection as Error);
    }), RUNS);
  });

  it('throws CheckpointRejected for a checkpoint with a forged signature or without a verifier', async () => {
    const { lines, checkpoints } = await writeLog(calls(3));
    const forged = { ...(checkpoints[0] as (typeof checkpoints)[number]), size: 2, headHash: hashAt(lines, 1) };
    expect(() => verifyChain(lines, trusted([forged]))).toThrow(CheckpointRejected);
    const otherKey = signCheckpoint({ logId: LOG_ID, size: 6, headHash: hashAt(lines, 5), rootHash: '00'.repeat(32), at: 'now' }, hmacSha256Signer(Buffer.alloc(32, 1)));
    expect(() => verifyChain(lines, trusted([otherKey]))).toThrow('signature does not match');
    expect(() => verifyChain(lines, { checkpoints })).toThrow('checkpoints were given without a verifier');
  });
});

describe('checkpoints that are not of this log', () => {
  const gates = (prefix: string, n: number): Step[] => Array.from({ length: n }, (_, i) => ({ kind: 'gate', event: 'plan.submitted', planId: `${prefix}-${i}` }));

  it('rejects a checkpoint of another log signed with the same key, naming both logs, whatever its size', async () => {
    const search = await writeLog(gates('search', 12), { checkpointEvery: 10 });
    const billing = await writeLog(gates('billing', 30), { checkpointEvery: 10, logId: 'agents.example/billing' });
    for (const foreign of billing.checkpoints) {
      const message = `checkpoint at size ${foreign.size} rejected: it was signed for log "agents.example/billing", not for "${LOG_ID}", the log being verified: ` +
        'keep each log\'s checkpoints apart, or verify these lines as the log the checkpoint names';
      expect(() => verifyChain(search.lines, trusted([...search.checkpoints, foreign]))).toThrow(new CheckpointRejected(foreign.size, message.slice(message.indexOf(': ') + 2)));
      const opening = AuditTrail.open({ store: new MemoryAuditStore(search.lines), checkpoints: new MemoryCheckpointStore([...search.checkpoints, foreign]), signer, logId: LOG_ID });
      await expect(opening).rejects.toThrow(message);
    }
  });

  it('rejects a checkpoint that another checkpoint of the same log contradicts, instead of reporting an empty range', async () => {
    // Two writers that both call their log by one id: the key signs two histories of it.
    const first = await writeLog(gates('first', 12), { checkpointEvery: 5 });
    const second = await writeLog(gates('second', 12), { checkpointEvery: 5 });
    const [at5, at10] = [second.checkpoints[0], second.checkpoints[1]] as [SignedCheckpoint, SignedCheckpoint];
    expect(() => verifyChain(first.lines, trusted([...first.checkpoints, at10]))).toThrow(new RegExp(
      `^checkpoint at size 10 rejected: it records head ${at10.headHash.slice(0, 12)}… at size 10, where this log has ${hashAt(first.lines, 9).slice(0, 12)}…, ` +
        'and the checkpoint at size 10, which this log matches, vouches for that head: the key signed two different histories of this log ' +
        '\\(a second writer with its own copy, or a checkpoint forged with the key\\)$'));
    // The matching checkpoint comes later than the one it contradicts.
    expect(() => verifyChain(first.lines, trusted([at5, ...first.checkpoints.filter((c) => c.size !== 5)]))).toThrow(
      'and the checkpoint at size 10, which this log matches, vouches for that head');
  });

  it('rejects a checkpoint of an empty log whose head is not 64 zeros', async () => {
    const { lines } = await writeLog(gates('any', 2));
    const odd = signCheckpoint({ size: 0, headHash: 'ab'.repeat(32), rootHash: 'cd'.repeat(32), at: 'now', logId: LOG_ID }, signer);
    expect(() => verifyChain(lines, trusted([odd]))).toThrow(
      `checkpoint at size 0 rejected: it records head abababababab… for an empty log, whose head is always 64 zeros: no trail signs that, so it was signed with the key some other way`);
  });

  it('needs the id of the log to check checkpoints against', async () => {
    const { lines, checkpoints } = await writeLog(gates('any', 2));
    expect(() => verifyChain(lines, { checkpoints, verifier: signer })).toThrow(
      'checkpoints were given without the id of the log they should name; pass logId, the id the trail signs into them');
    await expect(openFixture({ logId: '' })).rejects.toThrow(InvalidOptionError);
    await expect(openFixture({ logId: 'two\nlines' })).rejects.toThrow('Expected `logId` to be a name for the log: 1 to 256 characters, none of them control characters');
  });
});

describe('what verification says', () => {
  const intent = { kind: 'intent' as const, callId: 'c-1', tool: 'read_file', args: {}, actor: 'agent-1', at: '2026-01-05T09:00:00.000Z' };
  const outcome = { kind: 'outcome' as const, callId: 'c-1', tool: 'read_file', status: 'succeeded' as const, durationMs: 1, actor: 'agent-1', at: '2026-01-05T09:00:00.001Z' };
  function chain(...records: Parameters<typeof sealEntry>[0][]): string[] {
    const lines: string[] = [];
    for (const [i, record] of records.entries()) lines.push(sealEntry(record, i, hashAt(lines, i - 1)).line);
    return lines;
  }

  it('carries the stored and the calculated hash of an edited entry', () => {
    const lines = chain(intent, outcome);
    lines[1] = (lines[1] as string).replace('"durationMs":1', '"durationMs":9');
    const body = (splitLine(lines[1]) as { body: string }).body;
    expect(failure(lines).problem).toEqual({
      kind: 'hash-mismatch', index: 1, expected: hashAt(chain(intent, outcome), 1), calculated: entryHash(body),
      message: expect.stringMatching(/^entry 1: stored hash [0-9a-f]{12}… but its bytes hash to [0-9a-f]{12}…: the entry was edited after it was written$/) as unknown,
    });
  });

  it('names deleted entries by their indexes', () => {
    const lines = chain(intent, outcome, { ...intent, callId: 'c-2' }, { ...outcome, callId: 'c-2' });
    expect(failure([lines[0] as string, lines[3] as string]).problem.message).toBe('position 1 holds entry 3: entries 1..2 were deleted, or the log was reordered');
    expect(failure([lines[0] as string, lines[2] as string]).problem.message).toBe('position 1 holds entry 2: entry 1 was deleted, or the log was reordered');
  });

  it('rejects an outcome with no open intent, a second outcome, and an intent reusing an open call id, even when every hash fits', () => {
    expect(failure(chain(outcome)).problem.message).toBe('entry 0: the outcome of call c-1 closes no open intent');
    expect(failure(chain(intent, outcome, outcome)).problem.message).toBe('entry 2: the outcome of call c-1 closes no open intent');
    expect(failure(chain(intent, intent)).problem.message).toBe('entry 1: call c-1 already has an open intent at entry 0');
    expect(failure(chain(intent, { ...outcome, tool: 'delete_file' })).problem.message).toBe('entry 1: the outcome of call c-1 names tool delete_file, its intent read_file');
  });

  it('names the field that makes a well-hashed entry malformed', () => {
    const body = canonicalJson({ ...intent, index: 0, prevHash: GENESIS_HASH, tool: 7 });
    const line = `{"entry":${body},"hash":"${entryHash(body)}"}`;
    expect(failure([line]).problem.message).toBe('entry 0 is not a well-formed audit line: field "tool" is not a string');
    expect(failure([`{"entry":{"index":0},"hash":"${'X'.repeat(64)}"}`]).problem.message).toBe('entry 0 is not a well-formed audit line: the stored hash is not 64 lowercase hex digits');
  });
});

describe('exact bytes', () => {
  const steps: Step[] = [
    { kind: 'call', tool: 'read_file', args: { path: 'notes/ok.md' }, ends: 'succeeded' },
    { kind: 'call', tool: 'write_file', args: { path: 'notes/caf\u00e9.md', text: 'a\ufffdb' }, ends: 'succeeded' },
  ];

  // The lines as a file store gives them back: the bytes on disk.
  async function storedBytes(): Promise<Buffer[]> {
    return (await writeLog(steps)).lines.map((line) => Buffer.from(line, 'utf8'));
  }

  // Replaces the first occurrence of `from` in line `index` with `to`, byte for byte.
  function patch(lines: Buffer[], index: number, from: Uint8Array, to: Uint8Array): { lines: Buffer[]; offset: number } {
    const line = lines[index] as Buffer;
    const offset = line.indexOf(from);
    expect(offset).toBeGreaterThan(0);
    const patched = [...lines];
    patched[index] = Buffer.concat([line.subarray(0, offset), to, line.subarray(offset + from.length)]);
    return { lines: patched, offset };
  }

  it('hashes the bytes as stored: a hash computed over the raw bytes of each line is the stored hash', async () => {
    const lines = await storedBytes();
    for (const line of lines) {
      const body = line.subarray('{"entry":'.length, line.length - ',"hash":"'.length - 64 - 2);
      const raw = createHash('sha256').update(Buffer.from([0])).update(body).digest('hex');
      expect(line.subarray(line.length - 66, line.length - 2).toString('latin1')).toBe(raw);
    }
    expect(verifyChain(lines)).toMatchObject({ ok: true, size: 4 });
  });

  it.each([
    ['U+FFFD replaced by the single invalid byte 0xFF', Buffer.from('\ufffd'), Buffer.from([0xff])],
    ['"/" written as the overlong pair C0 AF', Buffer.from('/'), Buffer.from([0xc0, 0xaf])],
    ['"é" written as a three-byte overlong form', Buffer.from('\u00e9'), Buffer.from([0xe0, 0x83, 0xa9])],
    ['U+FFFD replaced by an encoded surrogate', Buffer.from('\ufffd'), Buffer.from([0xed, 0xa0, 0x80])],
    ['"é" cut to its first byte', Buffer.from('\u00e9'), Buffer.from([0xc3])],
  ])('reports a line that is not well-formed UTF-8 at its entry, with the offset: %s', async (_name, from, to) => {
    const { lines, offset } = patch(await storedBytes(), 2, from, to);
    expect(failure(lines).problem).toEqual({
      kind: 'invalid-utf8', index: 2, offset,
      message: `entry 2: the bytes of its line from offset ${offset} are not well-formed UTF-8, so no writer of this log produced them: the line was altered or damaged where it is stored`,
    });
  });

  it('reports a byte-order mark, at the start of a line or inside a value, at its entry', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const lines = await storedBytes();
    const atStart = [...lines];
    atStart[1] = Buffer.concat([bom, lines[1] as Buffer]);
    expect(failure(atStart).problem).toMatchObject({ kind: 'malformed', index: 1 });
    expect(failure(patch(lines, 2, Buffer.from('caf'), Buffer.concat([Buffer.from('caf'), bom])).lines).problem).toMatchObject({ kind: 'hash-mismatch', index: 2 });
  });

  it('reports text with a lone surrogate, which has no UTF-8 form, at its entry', async () => {
    const { lines } = await writeLog(steps);
    const altered = [...lines];
    // Encoding would turn the lone surrogate into U+FFFD, the very bytes that were hashed.
    altered[2] = (lines[2] as string).replace('a\ufffdb', 'a\ud800b');
    const offset = Buffer.byteLength((lines[2] as string).slice(0, (lines[2] as string).indexOf('a\ufffdb') + 1));
    expect(failure(altered).problem).toEqual({
      kind: 'invalid-utf8', index: 2, offset,
      message: `entry 2: its text has a lone surrogate at byte offset ${offset}, which no UTF-8 bytes encode, so no writer of this log produced it: the line was altered where it is stored`,
    });
  });

  it.each([
    ['a space after a colon', (body: string) => body.replace('"actor":', '"actor": ')],
    ['two keys swapped', (body: string) => body.replace(/^\{"actor":("[^"]*"),"args":(\{[^}]*\}),/, '{"args":$2,"actor":$1,')],
    ['a letter written as a \\u escape', (body: string) => body.replace('"tool":"write_file"', '"tool":"\\u0077rite_file"')],
  ])('reports bytes that decode to the same entry but are not the bytes hashed: %s', async (_name, rewrite) => {
    const { lines } = await writeLog(steps);
    const { body, storedHash } = splitLine(lines[2] as string) as { body: string; storedHash: string };
    const rewritten = rewrite(body);
    expect(rewritten).not.toBe(body);
    expect(JSON.parse(rewritten)).toEqual(JSON.parse(body));
    const altered = [...lines];
    altered[2] = `{"entry":${rewritten},"hash":"${storedHash}"}`;
    expect(failure(altered).problem).toMatchObject({ kind: 'hash-mismatch', index: 2, expected: storedHash, calculated: entryHash(rewritten) });
  });
});
