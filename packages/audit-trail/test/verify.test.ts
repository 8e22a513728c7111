import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, entryHash, sealEntry, splitLine } from '../src/entry.ts';
import { CheckpointRejected, canonicalJson, hmacSha256Signer, signCheckpoint, verifyChain, type ChainBroken } from '../src/index.ts';
import { firstDifference, signer, stepArbitrary, writeLog, type Step } from './support.ts';

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

function failure(lines: readonly string[], checkpoints: Parameters<typeof verifyChain>[1] = {}): ChainBroken {
  const report = verifyChain(lines, checkpoints);
  if (report.ok) throw new Error('expected verification to fail, but the log verified');
  return report;
}

describe('verifyChain on an untouched log', () => {
  it('verifies every log the trail writes, reporting its size and head', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, async (steps) => {
      const { lines, checkpoints } = await writeLog(steps);
      const report = verifyChain(lines, { checkpoints, verifier: signer });
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
      const report = failure(lines, { checkpoints, verifier: signer });
      expect(report.firstBadIndex).toBe(index);
      expect(['hash-mismatch', 'malformed']).toContain(report.problem.kind);
    }), RUNS);
  });

  it('reports a deleted entry at its position, including the last one', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), async (steps, pick) => {
      const { lines, checkpoints } = await writeLog(steps);
      const index = pick % lines.length;
      lines.splice(index, 1);
      expect(failure(lines, { checkpoints, verifier: signer }).firstBadIndex).toBe(index);
    }), RUNS);
  });

  it('reports an inserted copy of an entry at the first position that differs', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), fc.nat(), async (steps, pickAt, pickCopy) => {
      const { lines, checkpoints } = await writeLog(steps);
      const mutated = [...lines];
      mutated.splice(pickAt % (lines.length + 1), 0, lines[pickCopy % lines.length] as string);
      expect(failure(mutated, { checkpoints, verifier: signer }).firstBadIndex).toBe(firstDifference(lines, mutated));
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
      const anchored = failure(lines, { checkpoints, verifier: signer });
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
      expect(failure(lines, { checkpoints, verifier: signer }).firstBadIndex).toBe(i);
    }), RUNS);
  });

  it('reports a truncated tail at the first missing entry', async () => {
    await fc.assert(fc.asyncProperty(logArbitrary, fc.nat(), async (steps, pick) => {
      const { lines, checkpoints } = await writeLog(steps);
      const keep = pick % lines.length;
      const report = failure(lines.slice(0, keep), { checkpoints, verifier: signer });
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
    expect(verifyChain(lines.slice(0, 21), { checkpoints: early, verifier: signer })).toMatchObject({ ok: true, size: 21 });
    expect(failure(lines.slice(0, 17), { checkpoints: early, verifier: signer }).problem.message).toContain('entries 17..19 were removed');
    expect(failure(lines.slice(0, 19), { checkpoints: early, verifier: signer }).problem.message).toBe(
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
    const report = failure(rewritten, { checkpoints, verifier: signer });
    expect(report.problem).toMatchObject({ kind: 'rewritten', index: 5, checkpointSize: 10 });
    expect(report.problem.message).toContain('entries 5..9 do not match the checkpoint signed at size 10');
  });

  it('throws CheckpointRejected for a checkpoint with a forged signature or without a verifier', async () => {
    const { lines, checkpoints } = await writeLog(calls(3));
    const forged = { ...(checkpoints[0] as (typeof checkpoints)[number]), size: 2, headHash: hashAt(lines, 1) };
    expect(() => verifyChain(lines, { checkpoints: [forged], verifier: signer })).toThrow(CheckpointRejected);
    const otherKey = signCheckpoint({ size: 6, headHash: hashAt(lines, 5), rootHash: '00'.repeat(32), at: 'now' }, hmacSha256Signer(Buffer.alloc(32, 1)));
    expect(() => verifyChain(lines, { checkpoints: [otherKey], verifier: signer })).toThrow('signature does not match');
    expect(() => verifyChain(lines, { checkpoints })).toThrow('checkpoints were given without a verifier');
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
