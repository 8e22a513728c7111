/** A value that survives a JSON round trip unchanged: what an audit entry may hold. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Thrown when a value has no canonical JSON form; `path` points at the offending part (`$.args.when`). */
export class NotCanonicalJson extends Error {
  override readonly name = 'NotCanonicalJson';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/**
 * Encodes `value` as canonical JSON: object keys sorted by UTF-16 code unit, no whitespace,
 * numbers and strings as `JSON.stringify` writes them. Equal values always give equal bytes,
 * so a hash over the encoding is a hash over the value. Throws `NotCanonicalJson` for
 * anything JSON would drop or change silently (undefined, NaN, Date, Map, cycles).
 */
export function canonicalJson(value: unknown): string {
  // Pieces are joined once at the end: one flat string instead of a rope of fragments that a
  // long-lived log would keep alive.
  const parts: string[] = [];
  try {
    encode(value, parts, []);
  } catch (error) {
    if (error instanceof PathlessProblem) throw new NotCanonicalJson(`$${error.steps.reverse().join('')}`, error.message);
    throw error;
  }
  return parts.join('');
}

// Thrown at the bad value and given its path on the way out, so the hot path builds no path strings.
class PathlessProblem extends Error {
  readonly steps: string[] = [];
}

function encode(value: unknown, parts: string[], ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
      parts.push(JSON.stringify(value));
      return;
    case 'boolean':
      parts.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new PathlessProblem(`${String(value)} is not a JSON number; record it as a string or null`);
      parts.push(JSON.stringify(value));
      return;
    case 'object':
      if (value === null) {
        parts.push('null');
      } else if (ancestors.includes(value)) {
        throw new PathlessProblem('the value refers to itself (a cycle); record a copy without the cycle');
      } else if (Array.isArray(value)) {
        encodeArray(value, parts, ancestors);
      } else {
        encodeObject(value, parts, ancestors);
      }
      return;
    default:
      throw new PathlessProblem(`${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`} is not a JSON value; leave the key out or record null`);
  }
}

function encodeArray(items: readonly unknown[], parts: string[], ancestors: object[]): void {
  ancestors.push(items);
  parts.push('[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(',');
    try {
      encode(items[i], parts, ancestors);
    } catch (error) {
      if (error instanceof PathlessProblem) error.steps.push(`[${i}]`);
      throw error;
    }
  }
  parts.push(']');
  ancestors.pop();
}

function encodeObject(value: object, parts: string[], ancestors: object[]): void {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw new PathlessProblem(`a ${kind} is not a plain JSON object; convert it first (a Date with toISOString())`);
  }
  ancestors.push(value);
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units: the order is the same on every platform.
  const keys = Object.keys(record).sort();
  parts.push('{');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    parts.push(i === 0 ? '' : ',', JSON.stringify(key), ':');
    try {
      encode(record[key], parts, ancestors);
    } catch (error) {
      if (error instanceof PathlessProblem) error.steps.push(`.${key}`);
      throw error;
    }
  }
  parts.push('}');
  ancestors.pop();
}
