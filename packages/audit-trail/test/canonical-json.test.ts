import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotCanonicalJson, canonicalJson } from '../src/index.ts';

// Rebuilds every object with its keys in reverse insertion order, so only the encoder's own
// sorting can make the two encodings agree.
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code unit at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { z: [true, null], B: 'x' }, '10': 0, '9': 0, é: 'ü' })).toBe(
      '{"10":0,"9":0,"a":{"B":"x","z":[true,null]},"b":1,"é":"ü"}',
    );
  });

  it('escapes strings as JSON does, so a newline never reaches the stored line', () => {
    expect(canonicalJson({ note: 'line one\nline "two"\u0001' })).toBe('{"note":"line one\\nline \\"two\\"\\u0001"}');
  });

  it('gives equal bytes for equal values whatever order their keys were inserted in', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      expect(canonicalJson(reverseKeys(value))).toBe(canonicalJson(value));
    }), { numRuns: 200 });
  });

  it('is stable: re-encoding the parsed encoding gives the same bytes', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const encoded = canonicalJson(value);
      expect(canonicalJson(JSON.parse(encoded))).toBe(encoded);
    }), { numRuns: 200 });
  });

  it.each([
    [{ args: { when: new Date(0) } }, '$.args.when', 'a Date is not a plain JSON object'],
    [{ args: [1, Number.NaN] }, '$.args[1]', 'NaN is not a JSON number'],
    [{ limit: Number.POSITIVE_INFINITY }, '$.limit', 'Infinity is not a JSON number'],
    [{ missing: undefined }, '$.missing', 'undefined is not a JSON value'],
    [{ big: 10n }, '$.big', 'a bigint is not a JSON value'],
    [{ seen: new Map() }, '$.seen', 'a Map is not a plain JSON object'],
    [[() => 1], '$[0]', 'a function is not a JSON value'],
  ])('refuses %o with the path and the reason', (value, path, reason) => {
    const error = (() => {
      try {
        canonicalJson(value);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NotCanonicalJson);
    expect((error as NotCanonicalJson).path).toBe(path);
    expect((error as NotCanonicalJson).message).toContain(reason);
  });

  it('refuses a value that contains itself instead of looping', () => {
    const node: Record<string, unknown> = { name: 'root' };
    node.children = [{ parent: node }];
    expect(() => canonicalJson(node)).toThrow('$.children[0].parent: the value refers to itself');
  });

  it('accepts the same object twice side by side, which is not a cycle', () => {
    const shared = { id: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"id":1},"b":{"id":1}}');
  });
});
