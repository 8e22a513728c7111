import { durationMs, sleep, systemScheduler, wholeNumber } from '@12-factor-agentops/core';
import type { Timers } from '@12-factor-agentops/core';
import { DEFAULT_RETRY_BASE_DELAY_MS, DEFAULT_RETRY_MAX_DELAY_MS, DEFAULT_TRANSACTION_ATTEMPTS } from './defaults.ts';
import { RetriesExhausted, sqlState } from './errors.ts';

/** How `withRetry` (and `transaction`) tries again. */
export interface RetryOptions {
  /** Attempts in all, from 1 (no retry); default 5. */
  readonly attempts?: number;
  /** Ceiling of the first pause in ms; default 10. Each later ceiling doubles, up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  /** Largest ceiling of a pause in ms; default 500. */
  readonly maxDelayMs?: number;
  /** Which errors are worth another attempt; default `isRetryableConflict` (SQLSTATE 40001 and 40P01). */
  readonly retryOn?: (error: unknown) => boolean;
  /** Ends the waiting at once (the wait rejects with core's `SleepAborted`). */
  readonly signal?: AbortSignal;
  /** Told about each retry before its pause. */
  readonly onRetry?: (retry: { readonly attempt: number; readonly delayMs: number; readonly error: unknown }) => void;
  /** Timers for the pauses; default core's `systemScheduler`. */
  readonly timers?: Timers;
  /** A number in [0, 1) for the jitter; default `Math.random`. */
  readonly random?: () => number;
}

/**
 * A serialization failure (40001) or a deadlock (40P01): PostgreSQL rolled the transaction back
 * as a whole and says so, so running the whole transaction again is safe and usually succeeds.
 */
export function isRetryableConflict(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40001' || state === '40P01';
}

/**
 * Runs `work` and, when it fails with an error `retryOn` accepts, runs it again after a pause,
 * up to `attempts` times in all. Pause n is drawn uniformly from [0, min(maxDelayMs,
 * baseDelayMs · 2^(n−1))) ("full jitter"), so contending callers spread out instead of
 * colliding again in step. Any other error is thrown at once; after the last attempt the
 * retryable error is wrapped in `RetriesExhausted`.
 */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = wholeNumber('attempts', options.attempts ?? DEFAULT_TRANSACTION_ATTEMPTS, 1, 1_000);
  const baseDelayMs = durationMs('baseDelayMs', options.baseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS, { min: 0 });
  const maxDelayMs = durationMs('maxDelayMs', options.maxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS, { min: 0 });
  const retryOn = options.retryOn ?? isRetryableConflict;
  const timers = options.timers ?? systemScheduler;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!retryOn(error)) throw error;
      if (attempt >= attempts) throw new RetriesExhausted(attempt, sqlState(error), { cause: error });
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.floor(Math.min(Math.max(random(), 0), 0.999_999) * ceiling);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(timers, delayMs, options.signal);
    }
  }
}
