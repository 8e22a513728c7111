/**
 * An option, argument or configuration value is out of range. Every package throws this one
 * class, so a caller can catch bad configuration the same way everywhere; the message names
 * the option, what it must be, and what came in.
 */
export class InvalidOptionError extends Error {
  override readonly name = 'InvalidOptionError';
  readonly option: string;
  readonly expected: string;
  readonly received: unknown;

  constructor(option: string, expected: string, received: unknown) {
    super(`Expected \`${option}\` to be ${expected}, got ${describeValue(received)}.`);
    this.option = option;
    this.expected = expected;
    this.received = received;
  }
}

/**
 * The longest duration any option accepts: 100 years in ms. Far beyond any sensible lease,
 * timeout or retention, and small enough that `now + duration` stays a valid `Date`
 * (which ends at 8.64e15 ms) for every wall-clock reading this side of year 200,000.
 */
export const MAX_DURATION_MS = 100 * 365 * 24 * 60 * 60 * 1000;

/** Returns `value` if it is a finite number above zero, else throws `InvalidOptionError`. */
export function positiveNumber(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(option, 'a finite number above 0', value);
  }
  return value;
}

/** Returns `value` if it is a whole number from `min` to `max`, else throws `InvalidOptionError`. */
export function wholeNumber(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `from ${min} up` : `from ${min} to ${max}`;
    throw new InvalidOptionError(option, `a whole number ${range}`, value);
  }
  return value;
}

/** Bounds of a duration option; both inclusive. */
export interface DurationBounds {
  /** Smallest accepted value; default 1 ms (0 is rarely a meaningful wait). */
  readonly min?: number;
  /** Largest accepted value; default `MAX_DURATION_MS` (100 years). */
  readonly max?: number;
}

/**
 * Returns `value` if it is a duration in milliseconds within bounds (finite, never NaN),
 * else throws `InvalidOptionError`. Large values are safe: core's timers split them.
 */
export function durationMs(option: string, value: unknown, bounds: DurationBounds = {}): number {
  const min = bounds.min ?? 1;
  const max = bounds.max ?? MAX_DURATION_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `a duration in ms from ${formatMs(min)} to ${formatMs(max)}`, value);
  }
  return value;
}

/** `value` as the message shows it: strings quoted, numbers as written (NaN, -Infinity), with their type. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${String(value)} (${typeof value})`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'function' ? 'a function' : 'an object';
}

function formatMs(ms: number): string {
  return ms === MAX_DURATION_MS ? `${ms} (100 years)` : String(ms);
}
