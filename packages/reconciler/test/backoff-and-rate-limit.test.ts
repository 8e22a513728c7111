import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExponentialBackoff, InvalidOptionError, TokenBucket, VirtualScheduler } from '../src/index.ts';

const DAY = 86_400_000;

describe('ExponentialBackoff', () => {
  it('defaults to a base of 100 ms and a cap of 60 s', () => {
    const backoff = new ExponentialBackoff();
    expect([backoff.baseMs, backoff.capMs]).toEqual([100, 60_000]);
    expect(Array.from({ length: 12 }, () => backoff.next('a'))).toEqual([
      100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 51_200, 60_000, 60_000,
    ]);
  });

  it('doubles the delay per consecutive failure and never leaves [base, cap], for any base, cap and count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 64 }),
        (baseMs, extra, failures) => {
          const backoff = new ExponentialBackoff({ baseMs, capMs: baseMs + extra });
          let previous = 0;
          for (let n = 1; n <= failures; n++) {
            const delay = backoff.next('key');
            expect(delay).toBe(Math.min(baseMs + extra, baseMs * 2 ** (n - 1)));
            expect(delay).toBeGreaterThanOrEqual(Math.max(previous, baseMs));
            expect(delay).toBeLessThanOrEqual(baseMs + extra);
            previous = delay;
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps each key separate and starts again from the base after forget', () => {
    const backoff = new ExponentialBackoff({ baseMs: 10, capMs: 1_000 });
    backoff.next('a');
    backoff.next('a');
    expect(backoff.next('b')).toBe(10);
    expect(backoff.next('a')).toBe(40);
    backoff.forget('a');
    expect(backoff.failures('a')).toBe(0);
    expect(backoff.next('a')).toBe(10);
  });

  it('rejects a cap below the base, naming the option and the value', () => {
    expect(() => new ExponentialBackoff({ baseMs: 500, capMs: 100 })).toThrow(
      new InvalidOptionError('capMs', 'at least baseMs (500)', 100),
    );
    expect(() => new ExponentialBackoff({ baseMs: 0 })).toThrow('Expected `baseMs` to be a duration in ms from 1 to 3153600000000 (100 years), got 0 (number).');
    expect(() => new ExponentialBackoff({ capMs: Number.POSITIVE_INFINITY })).toThrow(
      'Expected `capMs` to be a duration in ms from 1 to 3153600000000 (100 years), got Infinity (number).',
    );
  });

  it('accepts delays longer than a Node timer can hold, such as a 25-day base and a 30-day cap', () => {
    const backoff = new ExponentialBackoff({ baseMs: 25 * DAY, capMs: 30 * DAY });
    expect([backoff.next('a'), backoff.next('a')]).toEqual([25 * DAY, 30 * DAY]);
  });
});

describe('TokenBucket', () => {
  it('allows a burst at once, then spaces calls at the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket({ perSecond: 10, burst: 3, clock: { monotonicNow: () => now } });
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect([bucket.reserve(), bucket.reserve()]).toEqual([100, 200]);
    now = 1_000;
    // 1 s refilled 10 tokens, 2 were owed and the bucket holds at most 3.
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0, 100]);
  });

  it('defaults to 50 per second with a burst of 100', () => {
    const bucket = new TokenBucket({ clock: { monotonicNow: () => 0 } });
    expect([bucket.perSecond, bucket.burst]).toEqual([50, 100]);
  });

  it('never lets more than burst + rate × window calls start within any window, for any call times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 80 }),
        (perSecond, burst, gaps) => {
          let now = 0;
          const bucket = new TokenBucket({ perSecond, burst, clock: { monotonicNow: () => now } });
          const starts: number[] = [];
          for (const gap of gaps) {
            now += gap;
            starts.push(now + bucket.reserve());
          }
          starts.sort((a, b) => a - b);
          for (let i = 0; i < starts.length; i++) {
            for (let j = i; j < starts.length; j++) {
              // Delays are rounded up to whole milliseconds, so a start can be late by under 1 ms.
              const window = (starts[j] ?? 0) - (starts[i] ?? 0) + 1;
              expect(j - i + 1).toBeLessThanOrEqual(burst + (window * perSecond) / 1000);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('measures refill on the monotonic clock, so a wall clock stepped back an hour neither stalls it nor a step forward fills it', async () => {
    const scheduler = new VirtualScheduler(1_700_000_000_000);
    const bucket = new TokenBucket({ perSecond: 10, burst: 1, clock: scheduler });
    expect(bucket.reserve()).toBe(0);
    scheduler.stepWallClock(-3_600_000);
    await scheduler.advanceBy(100);
    expect([bucket.reserve(), bucket.reserve()]).toEqual([0, 100]);
    scheduler.stepWallClock(3_600_000);
    expect(bucket.reserve()).toBe(200);
  });

  it('rejects a burst below one call, naming the option', () => {
    expect(() => new TokenBucket({ burst: 0.5, clock: { monotonicNow: () => 0 } })).toThrow('Expected `burst` to be a number from 1 up, got 0.5 (number).');
  });
});
