import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JournalWriteRefused } from '../src/index.ts';
import { decodeRecord, encodeLine } from '../src/journal.ts';
import type { LedgerEvent } from '../src/index.ts';

// Numbers as a broken caller or clock might hand them over, as well as good ones.
const anyNumber = fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0.5, 2 ** 53, 8.64e15 + 1));
const event: fc.Arbitrary<LedgerEvent> = fc.oneof(
  fc.record({ type: fc.constant('reserved' as const), at: anyNumber, scope: fc.string(), id: fc.string(), amount: fc.record({ tokens: anyNumber, costMinor: anyNumber, toolCalls: anyNumber }), expiresAt: anyNumber }),
  fc.record({ type: fc.constant('committed' as const), at: anyNumber, scope: fc.string(), id: fc.string(), amount: fc.record({ tokens: anyNumber, costMinor: anyNumber, toolCalls: anyNumber }) }),
  fc.record({ type: fc.constant('released' as const), at: anyNumber, scope: fc.string(), id: fc.string() }),
);

describe('journal lines', () => {
  it('are written only when they read back as the same event; anything else is refused with JournalWriteRefused', () => {
    fc.assert(
      fc.property(event, (candidate) => {
        let line: string;
        try {
          line = encodeLine(candidate);
        } catch (error) {
          expect(error).toBeInstanceOf(JournalWriteRefused);
          expect(typeof decodeRecord(JSON.stringify({ ...candidate, ...('amount' in candidate ? candidate.amount : {}) }))).toBe('string');
          return;
        }
        // JSON has no −0: compare with the event as JSON carries it.
        expect(decodeRecord(line)).toEqual(JSON.parse(JSON.stringify(candidate)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses an event dated by a fractional clock reading, naming the field', () => {
    expect(() => encodeLine({ type: 'released', at: 1_000_000.5, scope: 'team/research', id: 'a' })).toThrow(
      'the quota journal refused to write a "released" line that no reader would accept ("at" is not a time in ms); nothing was written',
    );
  });
});
