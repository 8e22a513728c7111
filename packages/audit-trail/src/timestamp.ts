// The largest time a Date can hold, in ms either side of the epoch (ECMAScript's TimeClip).
const MAX_TIME = 8.64e15;
const MILLISECONDS = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0'));

/**
 * Writes clock readings as `Date.prototype.toISOString` does. A busy trail stamps many entries
 * within one second, and building a Date for each costs about as much as hashing the entry, so
 * the text up to the milliseconds is kept from the last second seen.
 */
export class IsoTimestamps {
  #second = Number.NaN;
  #prefix = '';

  /** `new Date(ms).toISOString()`, and like it throws `RangeError` for NaN or a time out of range. */
  format(ms: number): string {
    const time = Math.trunc(ms);
    const second = Math.floor(time / 1000);
    if (second === this.#second && time <= MAX_TIME) return `${this.#prefix}${MILLISECONDS[time - second * 1000] as string}Z`;
    const text = new Date(time).toISOString();
    this.#second = second;
    this.#prefix = text.slice(0, -4);
    return text;
  }
}
