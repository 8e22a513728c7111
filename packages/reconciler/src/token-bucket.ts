import { InvalidOptionError, positiveNumber, systemMonotonicClock } from '@12-factor-agentops/core';
import type { MonotonicClock } from '@12-factor-agentops/core';
import { DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SECOND } from './defaults.ts';

/** Options of `TokenBucket`. */
export interface TokenBucketOptions {
  /** Tokens added per second, the sustained rate. Default 50. */
  perSecond?: number;
  /** Most tokens held at once, the largest burst. Default 100. */
  burst?: number;
  /** Measures the time between calls. Default `performance.now()`; tests pass a `VirtualScheduler`. */
  clock?: MonotonicClock;
}

/**
 * A token bucket shared by all keys: it allows `burst` calls at once and `perSecond` on
 * average. Defaults: 50 per second, burst 100, sized for hundreds of keys against one
 * runtime API; tune them to what the dependency can take. Refill is measured on a
 * monotonic clock, so a wall clock set back or forward neither stalls nor floods it.
 */
export class TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  readonly #clock: MonotonicClock;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions = {}) {
    this.perSecond = positiveNumber('perSecond', options.perSecond ?? DEFAULT_RATE_PER_SECOND);
    this.burst = positiveNumber('burst', options.burst ?? DEFAULT_RATE_BURST);
    if (this.burst < 1) throw new InvalidOptionError('burst', 'a number from 1 up', this.burst);
    this.#clock = options.clock ?? systemMonotonicClock;
    this.#tokens = this.burst;
    this.#updatedAt = this.#clock.monotonicNow();
  }

  /**
   * Takes one token and returns how many milliseconds the caller must wait before using
   * it (0 when one was in the bucket). Tokens may be owed, so waiting callers are served
   * in the order they asked.
   */
  reserve(): number {
    const now = this.#clock.monotonicNow();
    const refill = ((now - this.#updatedAt) * this.perSecond) / 1000;
    this.#tokens = Math.min(this.burst, this.#tokens + refill) - 1;
    this.#updatedAt = now;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / this.perSecond);
  }
}
