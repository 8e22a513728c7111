import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from './defaults.ts';
import { InvalidOptionError, durationMs } from '@12-factor-agentops/core';

/** Options of `ExponentialBackoff`. */
export interface BackoffOptions {
  /** Delay after the first failure, 1 ms to 100 years. Default 100 ms. */
  baseMs?: number;
  /** Largest delay, however many failures, from `baseMs` to 100 years. Default 60,000 ms (60 s). */
  capMs?: number;
}

/**
 * Per-key exponential back-off: the n-th consecutive failure of a key waits
 * `min(capMs, baseMs × 2^(n-1))`. Defaults: base 100 ms, cap 60 s (controller-runtime's
 * are 5 ms and 1,000 s; an agent runtime is slower to call and quicker to need a look).
 */
export class ExponentialBackoff {
  readonly baseMs: number;
  readonly capMs: number;
  readonly #failures = new Map<string, number>();

  constructor(options: BackoffOptions = {}) {
    this.baseMs = durationMs('baseMs', options.baseMs ?? DEFAULT_BACKOFF_BASE_MS);
    this.capMs = durationMs('capMs', options.capMs ?? DEFAULT_BACKOFF_CAP_MS);
    if (this.capMs < this.baseMs) {
      throw new InvalidOptionError('capMs', `at least baseMs (${this.baseMs})`, this.capMs);
    }
  }

  /** The delay for the n-th consecutive failure (n from 1). */
  delayFor(failures: number): number {
    // 2 ** 1100 is Infinity, which min() turns into the cap: no overflow to guard.
    return Math.min(this.capMs, this.baseMs * 2 ** Math.max(0, failures - 1));
  }

  /** Records one more failure of `key` and returns how long to wait before its next try. */
  next(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    return this.delayFor(failures);
  }

  /** Consecutive failures recorded for `key` since it last succeeded. */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Clears the history of `key`, after a success or when it is given up. */
  forget(key: string): void {
    this.#failures.delete(key);
  }
}
