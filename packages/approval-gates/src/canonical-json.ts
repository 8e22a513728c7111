/** Plain JSON data: what a plan, or an audit entry, is made of. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Thrown when a value cannot be encoded canonically; `path` locates the offending part (e.g. `$.steps[3].args`). */
export class CanonicalEncodingError extends Error {
  override readonly name = 'CanonicalEncodingError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot encode ${path} canonically: ${reason}`);
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// Where a value sits, as a chain of parent links: cheap to extend on every step, and only
// turned into text ("$.steps[3].args") when there is an error to report.
interface Location {
  readonly parent: Location | null;
  readonly key: string | number;
}

function pathOf(location: Location | null): string {
  if (location === null) return '$';
  const { parent, key } = location;
  if (typeof key === 'number') return `${pathOf(parent)}[${key}]`;
  return IDENTIFIER.test(key) ? `${pathOf(parent)}.${key}` : `${pathOf(parent)}[${JSON.stringify(key)}]`;
}

function describe(value: object): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  const ctor: unknown = prototype === null ? undefined : (prototype as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? `a ${ctor.name}` : 'an object with a custom prototype';
}

/**
 * Encodes plain JSON data as one exact string: object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings serialized as ECMAScript's `JSON.stringify` does (so `-0`
 * encodes as `0`). These are the choices of RFC 8785 (JCS). Throws `CanonicalEncodingError`
 * naming the path of anything that is not plain JSON data: `undefined`, functions, symbols,
 * bigints, `NaN`/`Infinity`, array holes, class instances (`Date`, `Map`, …), symbol keys
 * and cycles.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, null, new Map<object, Location | null>());
}

// `ancestors` holds only the objects on the current path, so a shared (but acyclic)
// sub-object encodes twice, as JSON would, while a cycle is caught where it closes.
function encode(value: unknown, at: Location | null, ancestors: Map<object, Location | null>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new CanonicalEncodingError(pathOf(at), `${String(value)} is not a JSON number; use a finite number, a string or null`);
      }
      return JSON.stringify(value);
    case 'undefined':
      throw new CanonicalEncodingError(pathOf(at), 'undefined is not JSON; omit the key or use null');
    case 'function':
    case 'symbol':
      throw new CanonicalEncodingError(pathOf(at), `a ${typeof value} is not JSON data; only JSON values can be encoded canonically`);
    case 'bigint':
      throw new CanonicalEncodingError(pathOf(at), 'a bigint is not a JSON number; encode it as a decimal string');
    case 'object':
      break;
  }
  if (value === null) return 'null';

  if (ancestors.has(value)) {
    throw new CanonicalEncodingError(pathOf(at), `cycle: this refers back to ${pathOf(ancestors.get(value) ?? null)}; canonical JSON needs a tree`);
  }
  ancestors.set(value, at);
  try {
    return Array.isArray(value) ? encodeArray(value, at, ancestors) : encodeObject(value, at, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function encodeArray(array: readonly unknown[], at: Location | null, ancestors: Map<object, Location | null>): string {
  let out = '[';
  for (let index = 0; index < array.length; index += 1) {
    const item: Location = { parent: at, key: index };
    if (!Object.hasOwn(array, index)) {
      throw new CanonicalEncodingError(pathOf(item), 'array hole; fill it with null or remove it');
    }
    out += (index === 0 ? '' : ',') + encode(array[index], item, ancestors);
  }
  return `${out}]`;
}

function encodeObject(object: object, at: Location | null, ancestors: Map<object, Location | null>): string {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new CanonicalEncodingError(pathOf(at), `${describe(object)} is not plain data; convert it (a Date to an ISO string, a Map to an object)`);
  }
  if (Object.getOwnPropertySymbols(object).length > 0) {
    throw new CanonicalEncodingError(pathOf(at), 'symbol keys are not JSON; use string keys');
  }
  const record = object as Readonly<Record<string, unknown>>;
  let out = '{';
  // Default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
  for (const key of Object.keys(record).sort()) {
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${encode(record[key], { parent: at, key }, ancestors)}`;
  }
  return `${out}}`;
}
