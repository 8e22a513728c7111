import { InvalidOptionError, SleepAborted } from '@12-factor-agentops/core';
import type { Timers } from '@12-factor-agentops/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetriesExhausted, isRetryableConflict, withRetry } from '../src/index.ts';

const conflict = (code: string) => Object.assign(new Error(`conflict ${code}`), { code });

/** Timers that fire at once and remember each delay asked for. */
function recordingTimers(): Timers & { readonly delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    setTimer: (delayMs, callback) => {
      delays.push(delayMs);
      queueMicrotask(callback);
      return () => undefined;
    },
  };
}

describe('withRetry', () => {
  it('runs again after a serialization failure or a deadlock, and returns the first success', async () => {
    const failures = [conflict('40001'), conflict('40P01')];
    const attempts: number[] = [];
    const value = await withRetry(
      async (attempt) => {
        attempts.push(attempt);
        const failure = failures.shift();
        if (failure) throw failure;
        return 'done';
      },
      { timers: recordingTimers() },
    );
    expect(value).toBe('done');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('throws any other error at once, without a second attempt', async () => {
    let calls = 0;
    const uniqueViolation = conflict('23505');
    await expect(
      withRetry(async () => {
        calls++;
        throw uniqueViolation;
      }),
    ).rejects.toBe(uniqueViolation);
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt with RetriesExhausted carrying the last error', async () => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw conflict('40P01');
      },
      { attempts: 4, timers: recordingTimers() },
    ).catch((caught: unknown) => caught);
    expect(calls).toBe(4);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect(error).toMatchObject({ attempts: 4, sqlState: '40P01', cause: expect.objectContaining({ code: '40P01' }) });
    expect((error as Error).message).toMatch(/^Gave up after 4 attempts, each failing with a deadlock \(SQLSTATE 40P01\)\./);
  });

  it('draws each pause below a ceiling that doubles from baseDelayMs up to maxDelayMs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 400 }), fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 7, maxLength: 7 }), async (base, max, draws) => {
        const timers = recordingTimers();
        const random = [...draws];
        await withRetry(
          async () => {
            throw conflict('40001');
          },
          { attempts: 8, baseDelayMs: base, maxDelayMs: max, timers, random: () => random.shift() ?? 0 },
        ).catch(() => undefined);
        expect(timers.delays).toHaveLength(7);
        timers.delays.forEach((delay, i) => {
          const ceiling = Math.min(max, base * 2 ** i);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(Math.max(ceiling, 1));
          expect(delay).toBe(Math.floor((draws[i] ?? 0) * ceiling));
        });
      }),
    );
  });

  it('stops waiting when its signal aborts', async () => {
    const controller = new AbortController();
    const pending = withRetry(
      async () => {
        throw conflict('40001');
      },
      { signal: controller.signal, baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 0.5 },
    );
    controller.abort('shutting down');
    await expect(pending).rejects.toBeInstanceOf(SleepAborted);
  });

  it('refuses attempts below 1 or a negative delay with InvalidOptionError', async () => {
    await expect(withRetry(async () => 1, { attempts: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(withRetry(async () => 1, { baseDelayMs: -1 })).rejects.toThrow('Expected `baseDelayMs` to be a duration in ms from 0');
  });
});

describe('isRetryableConflict', () => {
  it('accepts exactly SQLSTATE 40001 and 40P01', () => {
    expect(isRetryableConflict(conflict('40001'))).toBe(true);
    expect(isRetryableConflict(conflict('40P01'))).toBe(true);
    for (const code of ['40002', '23505', '57P01', 'ECONNRESET']) expect(isRetryableConflict(conflict(code))).toBe(false);
    expect(isRetryableConflict(undefined)).toBe(false);
  });
});
