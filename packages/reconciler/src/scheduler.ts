/** A source of the current time in milliseconds. */
export interface Clock {
  now(): number;
}

/** Cancels a timer; calling it after the timer fired does nothing. */
export type CancelTimer = () => void;

/**
 * The clock and timers every time-dependent part of this package uses. Injected so that
 * tests and the demo run on virtual time (see `VirtualScheduler`): deterministic and fast.
 */
export interface Scheduler extends Clock {
  /** Runs `callback` once, `delayMs` milliseconds from now. */
  setTimer(delayMs: number, callback: () => void): CancelTimer;
}

/** The wall clock and Node's timers. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, delayMs);
    return () => {
      clearTimeout(timer);
    };
  },
};

/** Resolves after `delayMs` on the given scheduler's timers. */
export function sleep(scheduler: Scheduler, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    scheduler.setTimer(delayMs, resolve);
  });
}
