import { InvalidOptionError, MAX_DURATION_MS, describeValue } from './invalid-option.ts';

/** Wall time in milliseconds since the epoch: for timestamps, lease expiry shared with other hosts. */
export interface Clock {
  now(): number;
}

/**
 * A clock for measuring intervals: it never goes back, whatever happens to the wall clock
 * (an NTP step, a person setting the date). Readings mean nothing across processes.
 */
export interface MonotonicClock {
  /** Milliseconds since an arbitrary start; may be fractional; never decreases. */
  monotonicNow(): number;
}

/** Cancels a timer; calling it after the timer fired, or twice, does nothing. */
export type CancelTimer = () => void;

/** Timers that wait as long as asked, however long. */
export interface Timers {
  /** Runs `callback` once, `delayMs` from now (0 to `MAX_DURATION_MS`). */
  setTimer(delayMs: number, callback: () => void): CancelTimer;
}

/** Wall time, interval time and timers together: what a long-running loop needs. */
export interface Scheduler extends Clock, MonotonicClock, Timers {}

/** The wall clock (`Date.now()`). */
export const systemClock: Clock = { now: () => Date.now() };

/** `performance.now()`: monotonic for the life of the process. */
export const systemMonotonicClock: MonotonicClock = { monotonicNow: () => performance.now() };

/**
 * The longest delay Node's `setTimeout` honours: 2^31 − 1 ms (about 24.8 days). Node turns a
 * longer delay into 1 ms with only a warning, so a 30-day timer would become a hot loop.
 */
export const MAX_NODE_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `callback` once after `delayMs`, for any delay up to `MAX_DURATION_MS`: a delay past
 * Node's limit is waited in steps of at most `MAX_NODE_TIMER_MS`, each re-measured on the
 * monotonic clock, so a long wait neither fires early nor drifts with the wall clock.
 * Throws `InvalidOptionError` for a negative, NaN, infinite or too long delay.
 */
export function setSafeTimer(delayMs: number, callback: () => void): CancelTimer {
  checkTimerDelay(delayMs);
  const due = performance.now() + delayMs;
  let handle: NodeJS.Timeout;
  const step = (): void => {
    const remaining = due - performance.now();
    // Node's timers have 1 ms resolution: less than that left is due now.
    if (remaining < 1) {
      callback();
      return;
    }
    handle = setTimeout(step, Math.min(remaining, MAX_NODE_TIMER_MS));
  };
  handle = setTimeout(step, Math.min(delayMs, MAX_NODE_TIMER_MS));
  return () => {
    clearTimeout(handle);
  };
}

/** The system's wall clock, monotonic clock and long-safe timers. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  monotonicNow: () => performance.now(),
  setTimer: setSafeTimer,
};

/** Thrown by `sleep` when its signal aborts; `reason` is the signal's reason. */
export class SleepAborted extends Error {
  override readonly name = 'SleepAborted';
  constructor(readonly reason: unknown) {
    super('the wait was aborted before its time was up');
  }
}

/** Resolves after `delayMs` on `timers`; rejects with `SleepAborted` as soon as `signal` aborts. */
export function sleep(timers: Timers, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new SleepAborted(signal.reason));
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(new SleepAborted(signal?.reason));
    };
    const cancel = timers.setTimer(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A clock answered something that is not a time: the caller must refuse, never grant, on it. */
export class ClockReadingInvalid extends Error {
  override readonly name = 'ClockReadingInvalid';
  constructor(
    readonly source: string,
    readonly reading: unknown,
  ) {
    super(
      `${source} answered ${describeValue(reading)}, which is not a time: expected a whole number of ms ` +
        'since the epoch from 0 up. Nothing was decided on it; fix the clock (or the test clock) and retry.',
    );
  }
}

/** Reads `clock` and returns its answer if it is a whole, non-negative, safe number of ms; else throws `ClockReadingInvalid`. */
export function readClock(clock: Clock, source = 'the clock'): number {
  let reading: unknown;
  try {
    reading = clock.now();
  } catch (error) {
    throw Object.assign(new ClockReadingInvalid(source, undefined), { cause: error });
  }
  if (typeof reading !== 'number' || !Number.isSafeInteger(reading) || reading < 0 || reading > MAX_DATE_MS) {
    throw new ClockReadingInvalid(source, reading);
  }
  return reading;
}

// The last millisecond a JavaScript Date can hold.
const MAX_DATE_MS = 8.64e15;

/**
 * A validated wall clock that never answers less than it answered before. A step back (an
 * NTP correction, a person setting the date) holds time still until the wall clock catches
 * up, so nothing that has expired comes back to life and no window runs backwards; the step
 * is reported through `onStepBack`. An invalid reading throws `ClockReadingInvalid`.
 */
export class NonDecreasingClock implements Clock {
  readonly #clock: Clock;
  readonly #source: string;
  readonly #onStepBack: (steppedBackMs: number) => void;
  #last = -1;

  constructor(clock: Clock, options: { readonly source?: string; readonly onStepBack?: (steppedBackMs: number) => void } = {}) {
    this.#clock = clock;
    this.#source = options.source ?? 'the clock';
    this.#onStepBack = options.onStepBack ?? (() => undefined);
  }

  now(): number {
    const reading = readClock(this.#clock, this.#source);
    if (reading >= this.#last) {
      this.#last = reading;
      return reading;
    }
    try {
      this.#onStepBack(this.#last - reading);
    } catch {
      // a listener must never change what time it is
    }
    return this.#last;
  }
}

/** A wall clock that moves only when told to: for tests, demos and simulations. */
export class ManualClock implements Clock {
  #now: number;

  /** Starts at `startMs` (ms since the epoch; default 0). */
  constructor(startMs = 0) {
    this.#now = checkInstant('ManualClock start', startMs);
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` (0 or more). */
  advance(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new InvalidOptionError('ManualClock.advance(ms)', 'a finite number of ms from 0 up', ms);
    this.#now += ms;
  }

  /** Sets the time to `ms`, backwards included: for tests of a clock that steps back. */
  set(ms: number): void {
    this.#now = checkInstant('ManualClock.set(ms)', ms);
  }
}

function checkInstant(option: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new InvalidOptionError(option, 'a finite time in ms', ms);
  return ms;
}

/** Throws `InvalidOptionError` unless `delayMs` is a delay from 0 to `MAX_DURATION_MS`. */
export function checkTimerDelay(delayMs: unknown): void {
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > MAX_DURATION_MS) {
    throw new InvalidOptionError('delayMs', `a delay in ms from 0 to ${MAX_DURATION_MS} (100 years)`, delayMs);
  }
}

