// The numbers in the table of defaults are written for people ("30 s", "1,000 ms", "5
// consecutive failures"); these helpers read the leading quantity back and write a suggested
// value the same way, so the table stays readable on GitHub and still checkable.

/** The time units a Value cell may use, in milliseconds. */
export const TIME_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** What a constant or schema field holds: a duration in one unit, or a plain number. */
export type QuantityKind = { readonly kind: 'duration'; readonly unitMs: number } | { readonly kind: 'count' };

/** The leading number of a Value cell and its time unit, when it has one. */
export interface Quantity {
  readonly number: number;
  readonly unit: string | undefined;
}

const LEADING_QUANTITY = /^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*(ms|s|min|h|d)(?![\p{L}\p{N}]))?/u;

/** Reads "30 s", "1,000 ms", "5 consecutive failures" or "0.75"; undefined when the text does not start with a number. */
export function parseQuantity(text: string): Quantity | undefined {
  const match = LEADING_QUANTITY.exec(text.trim());
  if (match === null) return undefined;
  const number = Number(`${(match[1] ?? '').replace(/,/g, '')}${match[2] ?? ''}`);
  return { number, unit: match[3] };
}

/**
 * What a named value holds, from its name: `…_MS` and `…Ms` are milliseconds, `…Seconds` and
 * `…_SECONDS` seconds; anything else is a plain number.
 */
export function kindOfName(name: string): QuantityKind {
  if (/(?:_MS|Ms)$/.test(name)) return { kind: 'duration', unitMs: 1 };
  if (/(?:_SECONDS|Seconds)$/.test(name)) return { kind: 'duration', unitMs: 1_000 };
  return { kind: 'count' };
}

function grouped(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** A duration in the largest of h, s and ms that keeps it whole: 30000 → "30 s", 14400000 → "4 h". */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${grouped(ms / 3_600_000)} h`;
  if (ms !== 0 && ms % 1_000 === 0) return `${grouped(ms / 1_000)} s`;
  return `${grouped(ms)} ms`;
}

/** How the table should write `value` of a constant or field of this kind. */
export function formatValue(value: number, kind: QuantityKind): string {
  return kind.kind === 'duration' ? formatDuration(value * kind.unitMs) : grouped(value);
}

export type Comparison = { readonly equal: true } | { readonly equal: false; readonly problem: string };

/**
 * Compares a Value cell with the value a package declares. A duration needs a time unit and
 * may use any of them; a count must not have one.
 */
export function compareQuantity(cell: string, actual: number, kind: QuantityKind): Comparison {
  const quantity = parseQuantity(cell);
  const expected = formatValue(actual, kind);
  if (quantity === undefined) return { equal: false, problem: `'${cell}' does not start with a number; the package's value is ${expected}` };
  if (kind.kind === 'count') {
    if (quantity.unit !== undefined) return { equal: false, problem: `'${cell}' has the time unit '${quantity.unit}', but the value is a plain number, ${expected}` };
    return quantity.number === actual ? { equal: true } : { equal: false, problem: `the table says ${grouped(quantity.number)}, but the package's value is ${expected}` };
  }
  if (quantity.unit === undefined) return { equal: false, problem: `'${cell}' has no time unit (ms, s, min, h or d); the package's value is ${expected}` };
  const cellMs = quantity.number * (TIME_UNITS[quantity.unit] ?? Number.NaN);
  const actualMs = actual * kind.unitMs;
  if (Math.abs(cellMs - actualMs) < 1e-6) return { equal: true };
  return { equal: false, problem: `the table says ${grouped(quantity.number)} ${quantity.unit}, but the package's value is ${expected}` };
}
