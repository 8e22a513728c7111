import { InvalidOptionError } from './invalid-option.ts';
import { checkTimerDelay } from './time.ts';
import type { CancelTimer, Scheduler } from './time.ts';

interface VirtualTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** Lets every promise chain that is not waiting on a timer run to its end. */
function settlePromises(): Promise<void> {
  // Node drains all microtasks (and nextTicks) before it runs the next macrotask.
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A scheduler on virtual time: nothing happens until `advanceBy` moves it, then due timers
 * fire in time order (ties in the order they were set). Sixty seconds of back-off take
 * microseconds, and every run of a test is the same. Timers and `monotonicNow` follow
 * virtual elapsed time; `now` is that plus a wall-clock offset that `stepWallClock` can
 * move either way, so a test can make the wall clock jump without touching the timers.
 */
export class VirtualScheduler implements Scheduler {
  #elapsed = 0;
  #wallOffset: number;
  #seq = 0;
  // Sorted by (at, seq); tests hold at most a few thousand timers, so insertion stays cheap.
  readonly #timers: VirtualTimer[] = [];
  /** Listener errors thrown by timer callbacks, kept so a test can assert on them. */
  readonly callbackErrors: unknown[] = [];

  /** Starts the wall clock at `startMs` (default 0) and the monotonic clock at 0. */
  constructor(startMs = 0) {
    if (!Number.isFinite(startMs)) throw new InvalidOptionError('VirtualScheduler start', 'a finite time in ms', startMs);
    this.#wallOffset = startMs;
  }

  now(): number {
    return this.#elapsed + this.#wallOffset;
  }

  monotonicNow(): number {
    return this.#elapsed;
  }

  setTimer(delayMs: number, callback: () => void): CancelTimer {
    checkTimerDelay(delayMs);
    const timer: VirtualTimer = { at: this.#elapsed + delayMs, seq: this.#seq++, callback };
    // Later timers are the common case, so the search runs from the end.
    let index = this.#timers.length;
    while (index > 0 && (this.#timers[index - 1]?.at ?? 0) > timer.at) index--;
    this.#timers.splice(index, 0, timer);
    return () => {
      const position = this.#timers.indexOf(timer);
      if (position >= 0) this.#timers.splice(position, 1);
    };
  }

  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves the wall clock by `deltaMs` (negative steps it back) without moving time itself. */
  stepWallClock(deltaMs: number): void {
    if (!Number.isFinite(deltaMs)) throw new InvalidOptionError('stepWallClock(deltaMs)', 'a finite number of ms', deltaMs);
    this.#wallOffset += deltaMs;
  }

  /**
   * Moves time forward by `ms`, firing each due timer at its own time and letting the
   * promise chains it starts settle before the next one fires. A callback that throws is
   * recorded in `callbackErrors`, as an uncaught error would be, and the others still run.
   */
  async advanceBy(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new InvalidOptionError('advanceBy(ms)', 'a finite number of ms from 0 up', ms);
    const target = this.#elapsed + ms;
    await settlePromises();
    for (let next = this.#timers[0]; next !== undefined && next.at <= target; next = this.#timers[0]) {
      this.#timers.shift();
      this.#elapsed = next.at;
      try {
        next.callback();
      } catch (error) {
        this.callbackErrors.push(error);
      }
      await settlePromises();
    }
    this.#elapsed = target;
  }
}
