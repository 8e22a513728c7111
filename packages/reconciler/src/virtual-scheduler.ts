import type { CancelTimer, Scheduler } from './scheduler.ts';

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
 * A scheduler on virtual time: nothing happens until `advanceBy` moves the clock, then
 * due timers fire in time order (ties in the order they were set). Sixty seconds of
 * back-off and cool-down take microseconds, and every run of a test is the same.
 */
export class VirtualScheduler implements Scheduler {
  #now: number;
  #seq = 0;
  // Sorted by (at, seq); tests hold at most a few thousand timers, so insertion stays cheap.
  readonly #timers: VirtualTimer[] = [];

  /** Starts the virtual clock at `startMs` (default 0). */
  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): CancelTimer {
    const timer: VirtualTimer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback };
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

  /**
   * Moves the clock forward by `ms`, firing each due timer at its own time and letting the
   * promise chains it starts settle before the next one fires.
   */
  async advanceBy(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settlePromises();
    for (let next = this.#timers[0]; next !== undefined && next.at <= target; next = this.#timers[0]) {
      this.#timers.shift();
      this.#now = next.at;
      next.callback();
      await settlePromises();
    }
    this.#now = target;
  }
}
