/** A source of time in ms since the epoch; injected so tests and demos decide what time it is. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to: for tests and the demo. */
export class ManualClock implements Clock {
  #now: number;

  /** Starts at `startMs` (ms since the epoch). */
  constructor(startMs: number) {
    if (!Number.isFinite(startMs)) throw new RangeError(`ManualClock needs a finite start time in ms, got ${String(startMs)}`);
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` (0 or more); time never runs backwards. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ManualClock.advance needs a finite ms of 0 or more, got ${String(ms)}`);
    this.#now += ms;
  }
}
