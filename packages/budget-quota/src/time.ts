import { readClock } from '@12-factor-agentops/core';

// The last millisecond a JavaScript Date can hold: core's `readClock` accepts nothing later.
const MAX_DATE_MS = 8.64e15;

/** True for what core's `readClock` accepts as a time: a whole number of ms from 0 to the last `Date`. */
export function isTime(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_DATE_MS;
}

/**
 * Returns `now` if it is a time (`isTime`), else throws core's `ClockReadingInvalid` naming
 * `source`. Stores call it on the time they are handed, so a lease or a journal line is never
 * dated by something that is not a time. The check is written out for the hot path;
 * `readClock` words the error.
 */
export function checkTime(now: number, source: string): number {
  if (isTime(now)) return now;
  return readClock({ now: () => now }, source);
}
