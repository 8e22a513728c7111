/** A constructor option is out of range; the message names the option and the value that came in. */
export class InvalidOptionError extends Error {
  override readonly name = 'InvalidOptionError';
  readonly option: string;
  readonly received: unknown;

  constructor(option: string, expected: string, received: unknown) {
    super(`Expected \`${option}\` to be ${expected}, got ${String(received)} (${typeof received}).`);
    this.option = option;
    this.received = received;
  }
}

/** Returns `value` if it is a finite number above zero, else throws `InvalidOptionError`. */
export function positiveNumber(option: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(option, 'a finite number above 0', value);
  }
  return value;
}

/** Returns `value` if it is a whole number of at least `min`, else throws `InvalidOptionError`. */
export function wholeNumber(option: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(option, `a whole number from ${min} up`, value);
  }
  return value;
}
