import { types } from 'node:util';
import { wholeNumber } from '@12-factor-agentops/core';

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

/** The deepest nesting `canonicalJson` encodes: 512 levels of objects and arrays, far from what would overflow the stack. */
export const MAX_JSON_DEPTH = 512;
/** The longest encoding `canonicalJson` writes: 16,777,216 characters (UTF-16 code units). */
export const MAX_JSON_LENGTH = 2 ** 24;

/** Bounds on a value read as plain JSON data. */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays (`[]` is 1, `{ "a": [] }` is 2), from 1 to `MAX_JSON_DEPTH`. */
  readonly maxDepth?: number;
  /** Longest canonical encoding in characters (UTF-16 code units), from 1 to `MAX_JSON_LENGTH`. */
  readonly maxLength?: number;
}

/**
 * Encodes plain JSON data as one exact string: object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings serialized as ECMAScript's `JSON.stringify` does (so `-0`
 * encodes as `0`). These are the choices of RFC 8785 (JCS). Each property is read once, through
 * its descriptor, so no getter runs. Throws `CanonicalEncodingError` naming the path of anything
 * that is not plain JSON data or that JSON would drop: `undefined`, functions, symbols, bigints,
 * `NaN`/`Infinity`, array holes, named properties on arrays, non-enumerable properties, getters
 * and setters, proxies, class instances (`Date`, `Map`, …), symbol keys and cycles; and a value
 * nested deeper than `MAX_JSON_DEPTH` or encoding to more than `MAX_JSON_LENGTH` characters.
 */
export function canonicalJson(value: unknown): string {
  return readPlainJson(value, { maxDepth: MAX_JSON_DEPTH, maxLength: MAX_JSON_LENGTH }, false).canonical;
}

/** What `readPlainJson` read: the canonical encoding and, when asked for, a deep-frozen copy of the data. */
export interface PlainJson {
  readonly canonical: string;
  /** A deep-frozen copy equal to `JSON.parse(canonical)`; `null` when no copy was asked for. */
  readonly copy: JsonValue;
}

/**
 * Reads `value` once, as `canonicalJson` does, within `limits` (each defaulting to the
 * encoder's own limit); with `copy`, also builds a deep-frozen copy of exactly the data encoded.
 */
export function readPlainJson(value: unknown, limits: JsonLimits, copy: boolean): PlainJson {
  const maxDepth = wholeNumber('limits.maxDepth', limits.maxDepth ?? MAX_JSON_DEPTH, 1, MAX_JSON_DEPTH);
  const maxLength = wholeNumber('limits.maxLength', limits.maxLength ?? MAX_JSON_LENGTH, 1, MAX_JSON_LENGTH);
  const reader = new PlainJsonReader(maxDepth, maxLength, copy);
  const canonical = reader.read(value, null, 0);
  return { canonical, copy: copy ? reader.copied : null };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
// JSON.stringify escapes only quotes, backslashes, control characters and lone surrogates;
// a string with none of them (most strings) is quoted as it is, which costs far less.
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

const quote = (text: string): string => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`);

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

// Names what an object is from its prototype's own `constructor`, read without running any code.
function describe(value: object): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (typeof prototype !== 'object' || prototype === null || types.isProxy(prototype)) return 'an object with a custom prototype';
  const ctor: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
  if (typeof ctor !== 'function' || types.isProxy(ctor)) return 'an object with a custom prototype';
  const name: unknown = Object.getOwnPropertyDescriptor(ctor, 'name')?.value;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype';
}

const HIDDEN = 'a non-enumerable property is hidden from JSON but not from the code that runs the plan; make it an ordinary property or remove it';
const SYMBOL_KEY = 'symbol keys are not JSON; use string keys';
const ACCESSOR = 'an accessor (getter or setter) is code, not data: it could answer differently on each read; store the value itself';

// Walks a value once, encoding it and, if asked, building a deep-frozen copy of it. Every
// property is read once, through its own descriptor: getters and proxies are refused before any
// of their code can run, so what is encoded and what is copied come from the same reading.
// Each container returns its own string: appending everything to one accumulator measured ten
// times slower on plans made of many small arrays.
class PlainJsonReader {
  // Characters encoded so far; checked as it grows, so an oversized value is refused early.
  #length = 0;
  // The copy of the value read last (in copy mode), handed up to the container reading it.
  copied: JsonValue = null;
  // Only the objects on the current path (at most maxDepth of them): a shared (but acyclic)
  // sub-object is read again wherever it appears, as JSON would, while a cycle is caught where it closes.
  readonly #ancestors: object[] = [];
  readonly #ancestorLocations: (Location | null)[] = [];

  constructor(
    private readonly maxDepth: number,
    private readonly maxLength: number,
    private readonly copy: boolean,
  ) {}

  read(value: unknown, at: Location | null, depth: number): string {
    switch (typeof value) {
      case 'string': {
        // Counted before quoting too, so an enormous string is refused before it is copied.
        this.#count(value.length + 2, at);
        const text = quote(value);
        this.#count(text.length - value.length - 2, at);
        this.copied = value;
        return text;
      }
      case 'boolean':
        this.#count(value ? 4 : 5, at);
        this.copied = value;
        return value ? 'true' : 'false';
      case 'number': {
        if (!Number.isFinite(value)) {
          throw new CanonicalEncodingError(pathOf(at), `${String(value)} is not a JSON number; use a finite number, a string or null`);
        }
        // For a finite number String() writes what JSON.stringify writes, -0 as 0; the copy holds 0 too.
        const text = String(value);
        this.#count(text.length, at);
        this.copied = value === 0 ? 0 : value;
        return text;
      }
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
    if (value === null) {
      this.#count(4, at);
      this.copied = null;
      return 'null';
    }
    return this.#container(value, at, depth + 1);
  }

  #container(value: object, at: Location | null, depth: number): string {
    if (types.isProxy(value)) {
      throw new CanonicalEncodingError(pathOf(at), 'a Proxy is not plain data: its traps can answer differently on each read; pass the plain object it wraps');
    }
    if (depth > this.maxDepth) {
      throw new CanonicalEncodingError(pathOf(at), `nested more than ${this.maxDepth} levels deep (objects and arrays); flatten the data`);
    }
    const ancestor = this.#ancestors.indexOf(value);
    if (ancestor >= 0) {
      throw new CanonicalEncodingError(pathOf(at), `cycle: this refers back to ${pathOf(this.#ancestorLocations[ancestor] ?? null)}; canonical JSON needs a tree`);
    }
    this.#ancestors.push(value);
    this.#ancestorLocations.push(at);
    // One call lists every own key, string or symbol, enumerable or not.
    const keys: (string | symbol)[] = Reflect.ownKeys(value);
    const text = Array.isArray(value) ? this.#array(value, keys, at, depth) : this.#object(value, keys, at, depth);
    this.#ancestors.pop();
    this.#ancestorLocations.pop();
    return text;
  }

  #array(array: readonly unknown[], keys: readonly (string | symbol)[], at: Location | null, depth: number): string {
    if (Object.getPrototypeOf(array) !== Array.prototype) {
      throw new CanonicalEncodingError(pathOf(at), `${describe(array)} is not plain data; convert it to a plain array`);
    }
    const length = array.length;
    // Own keys beyond the items and `length` are data JSON would drop. (Fewer means a hole,
    // which the loop below reports where it is.)
    if (keys.length !== length + 1) {
      const named = keys.find((key) => typeof key === 'symbol' || (key !== 'length' && !(ARRAY_INDEX.test(key) && Number(key) < length)));
      if (typeof named === 'symbol') throw new CanonicalEncodingError(pathOf(at), SYMBOL_KEY);
      if (named !== undefined) {
        throw new CanonicalEncodingError(
          pathOf(at),
          `an array with the named property ${JSON.stringify(named)} is not plain data; JSON keeps only the items of an array, so move it into an object`,
        );
      }
    }
    const items: JsonValue[] | null = this.copy ? [] : null;
    let text = '[';
    this.#count(length === 0 ? 2 : length + 1, at); // the brackets and the commas
    for (let index = 0; index < length; index += 1) {
      const item: Location = { parent: at, key: index };
      const descriptor = Object.getOwnPropertyDescriptor(array, index);
      if (descriptor === undefined) throw new CanonicalEncodingError(pathOf(item), 'array hole; fill it with null or remove it');
      const itemText = this.#property(descriptor, item, depth);
      text += index === 0 ? itemText : `,${itemText}`;
      items?.push(this.copied);
    }
    this.copied = items === null ? null : Object.freeze(items);
    return `${text}]`;
  }

  #object(object: object, ownKeys: (string | symbol)[], at: Location | null, depth: number): string {
    const prototype: unknown = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new CanonicalEncodingError(pathOf(at), `${describe(object)} is not plain data; convert it (a Date to an ISO string, a Map to an object)`);
    }
    if (ownKeys.some((key) => typeof key === 'symbol')) throw new CanonicalEncodingError(pathOf(at), SYMBOL_KEY);
    // Default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
    const keys = (ownKeys as string[]).sort(); // a fresh array from Reflect.ownKeys, sorted in place
    const copy: Record<string, JsonValue> | null = this.copy ? {} : null;
    let text = '{';
    this.#count(keys.length === 0 ? 2 : keys.length + 1, at); // the braces and the commas
    for (let index = 0; index < keys.length; index += 1) {
      const key = keys[index] as string;
      const item: Location = { parent: at, key };
      const descriptor = Object.getOwnPropertyDescriptor(object, key) as PropertyDescriptor;
      const keyText = quote(key);
      this.#count(keyText.length + 1, item); // the key and its colon
      const valueText = this.#property(descriptor, item, depth);
      text += `${index === 0 ? '' : ','}${keyText}:${valueText}`;
      if (copy === null) continue;
      // An own "__proto__" key (JSON.parse makes them) must stay data, never become the prototype.
      if (key === '__proto__') Object.defineProperty(copy, key, { value: this.copied, enumerable: true, writable: true, configurable: true });
      else copy[key] = this.copied;
    }
    this.copied = copy === null ? null : Object.freeze(copy);
    return `${text}}`;
  }

  #property(descriptor: PropertyDescriptor, at: Location, depth: number): string {
    if (!('value' in descriptor)) throw new CanonicalEncodingError(pathOf(at), ACCESSOR);
    if (descriptor.enumerable !== true) throw new CanonicalEncodingError(pathOf(at), HIDDEN);
    return this.read(descriptor.value, at, depth);
  }

  #count(characters: number, at: Location | null): void {
    this.#length += characters;
    if (this.#length > this.maxLength) {
      throw new CanonicalEncodingError(
        pathOf(at),
        `the canonical JSON passes ${this.maxLength} characters here; a value this large (or one that repeats a sub-object this often) is refused`,
      );
    }
  }
}
