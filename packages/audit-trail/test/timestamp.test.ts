import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IsoTimestamps } from '../src/timestamp.ts';

const MAX_TIME = 8.64e15;

function outcome(run: () => string): string {
  try {
    return run();
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
}

describe('IsoTimestamps', () => {
  it('writes every reading exactly as Date.prototype.toISOString does, across and within seconds', () => {
    // Readings cluster within a few seconds so the kept text is reused, with jumps, fractions,
    // negative times, the limits of a Date and values no Date can hold.
    const reading = fc.oneof(
      fc.integer({ min: 1_767_225_598_000, max: 1_767_225_603_000 }),
      fc.integer({ min: -2_000, max: 2_000 }),
      fc.double({ min: -MAX_TIME - 2_000, max: MAX_TIME + 2_000, noNaN: true }),
      fc.constantFrom(MAX_TIME, MAX_TIME + 1, -MAX_TIME, -MAX_TIME - 1, -0, 0.5, -0.5, -999.9, Number.NaN, Number.POSITIVE_INFINITY),
    );
    fc.assert(fc.property(fc.array(reading, { minLength: 1, maxLength: 40 }), (readings) => {
      const timestamps = new IsoTimestamps();
      for (const ms of readings) expect(outcome(() => timestamps.format(ms))).toBe(outcome(() => new Date(ms).toISOString()));
    }), { numRuns: 500 });
  });

  it('keeps refusing a time one millisecond past the last a Date can hold, after formatting the last one', () => {
    const timestamps = new IsoTimestamps();
    expect(timestamps.format(MAX_TIME)).toBe('+275760-09-13T00:00:00.000Z');
    expect(() => timestamps.format(MAX_TIME + 1)).toThrow(RangeError);
  });
});
