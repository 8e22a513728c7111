import { InvalidAmount } from './errors.ts';

/** The three things a quota limits. */
export type Dimension = 'tokens' | 'costMinor' | 'toolCalls';

/** Every dimension, in the order messages list them. */
export const DIMENSIONS: readonly Dimension[] = ['tokens', 'costMinor', 'toolCalls'];

/**
 * An amount in each dimension. `costMinor` is money in integer minor units of the quota's
 * currency (cents for EUR or USD, yen for JPY); all three are safe integers
 * (`Number.isSafeInteger`), so sums stay exact up to 2^53 − 1.
 */
export interface Usage {
  readonly tokens: number;
  readonly costMinor: number;
  readonly toolCalls: number;
}

/** A usage as callers write it: an omitted dimension counts as 0. */
export type UsageInput = Partial<Usage>;

/** Zero in every dimension. */
export const NO_USAGE: Usage = Object.freeze({ tokens: 0, costMinor: 0, toolCalls: 0 });

/** Checks that every given amount is a non-negative safe integer and returns a complete usage; throws `InvalidAmount` otherwise. */
export function toUsage(input: UsageInput, field: string): Usage {
  if (typeof input !== 'object' || input === null) throw new InvalidAmount(field, input);
  const tokens = input.tokens ?? 0;
  const costMinor = input.costMinor ?? 0;
  const toolCalls = input.toolCalls ?? 0;
  if (isAmount(tokens) && isAmount(costMinor) && isAmount(toolCalls)) return { tokens, costMinor, toolCalls };
  for (const dimension of DIMENSIONS) {
    const value = input[dimension] ?? 0;
    if (!isAmount(value)) throw new InvalidAmount(`${field}.${dimension}`, value);
  }
  throw new InvalidAmount(field, input);
}

/** True for an integer from 0 to `Number.MAX_SAFE_INTEGER`. */
export function isAmount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Formats every dimension of `amounts` that is set, for a message: `800 tokens, 12.50 EUR, 1 tool call`. */
export function formatUsage(amounts: Partial<Usage>, currency: string | undefined): string {
  const parts = DIMENSIONS.flatMap((dimension) => {
    const amount = amounts[dimension];
    return amount === undefined ? [] : [formatAmount(dimension, amount, currency)];
  });
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}

/** Checks that `usage` holds a whole number from 0 to 2^53 − 1 in each dimension; throws `InvalidAmount` naming the first that does not. */
export function checkUsage(usage: Usage, field: string): Usage {
  if (typeof usage === 'object' && usage !== null && isAmount(usage.tokens) && isAmount(usage.costMinor) && isAmount(usage.toolCalls)) return usage;
  if (typeof usage !== 'object' || usage === null) throw new InvalidAmount(field, usage);
  for (const dimension of DIMENSIONS) {
    if (!isAmount(usage[dimension])) throw new InvalidAmount(`${field}.${dimension}`, usage[dimension]);
  }
  return usage;
}

/** Formats one dimension for a message: `800 tokens`, `12.50 EUR`, `1 tool call`. */
export function formatAmount(dimension: Dimension, amount: number, currency: string | undefined): string {
  if (dimension === 'tokens') return `${amount} tokens`;
  if (dimension === 'toolCalls') return amount === 1 ? '1 tool call' : `${amount} tool calls`;
  if (currency === undefined) return `${amount} minor units`;
  return `${formatMinorUnits(amount, currency)} ${currency}`;
}

/** Writes integer minor units as a decimal amount with integer arithmetic: 1250 EUR → `12.50`. */
export function formatMinorUnits(amount: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(amount);
  const scale = 10 ** digits;
  const fraction = amount % scale;
  return `${(amount - fraction) / scale}.${String(fraction).padStart(digits, '0')}`;
}

const digitsByCurrency = new Map<string, number>();

// ISO 4217 gives each currency its number of minor-unit digits (EUR 2, JPY 0, KWD 3); the ICU
// data in Node carries that table, so it is not retyped here.
function minorUnitDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}
