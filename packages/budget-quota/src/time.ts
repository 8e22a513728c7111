import { readClock } from '@12-factor-agentops/core';

/**
 * Returns `now` if it is a time core's `readClock` accepts (a whole number of ms from 0 up),
 * else throws `ClockReadingInvalid` naming `source`. Stores call it on the time they are
 * handed, so a lease or a journal line is never dated by something that is not a time.
 */
export function checkTime(now: number, source: string): number {
  return readClock({ now: () => now }, source);
}
