import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalEncodingError, canonicalJson, type PlanData } from '../src/index.ts';
import { normalize, planArb } from './support.ts';

function encodingError(value: unknown): CanonicalEncodingError {
  try {
    canonicalJson(value);
  } catch (error) {
    if (error instanceof CanonicalEncodingError) return error;
    throw error;
  }
  throw new Error('expected canonicalJson to throw');
}

function shuffleKeys(value: PlanData, seed: number): PlanData {
  if (Array.isArray(value)) return value.map((item: PlanData, index) => shuffleKeys(item, seed + index));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, child], index) => [key, shuffleKeys(child, seed * 31 + index)] as const);
    const rotated = entries.length === 0 ? entries : [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)];
    return Object.fromEntries(rotated.reverse());
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    const plan = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } };
    expect(canonicalJson(plan)).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('orders keys by UTF-16 code units: uppercase before lowercase, an emoji (a surrogate pair) before U+FFFF', () => {
    expect(canonicalJson({ b: 0, B: 0, '\u{1F600}': 0, '\uFFFF': 0, a: 0 })).toBe('{"B":0,"a":0,"b":0,"\u{1F600}":0,"\uFFFF":0}');
  });

  it('writes numbers in their shortest round-trip form and -0 as 0', () => {
    expect(canonicalJson([1e21, 1.5e-7, 0.1 + 0.2, -0, 100])).toBe('[1e+21,1.5e-7,0.30000000000000004,0,100]');
  });

  it('encodes a shared sub-object twice, as JSON would, because sharing is not a cycle', () => {
    const shared = { tool: 'http.probe' };
    expect(canonicalJson({ first: shared, second: shared })).toBe('{"first":{"tool":"http.probe"},"second":{"tool":"http.probe"}}');
  });

  it('encodes the same data to the same string whatever the key order (property)', () => {
    fc.assert(
      fc.property(planArb, fc.nat(1000), (plan, seed) => {
        expect(canonicalJson(shuffleKeys(plan, seed))).toBe(canonicalJson(plan));
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips: parsing the encoding gives back the same data (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue() as fc.Arbitrary<PlanData>, (value) => {
        expect(JSON.parse(canonicalJson(value))).toStrictEqual(normalize(value));
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['NaN', { steps: [{ retries: Number.NaN }] }, '$.steps[0].retries', /NaN is not a JSON number/],
    ['Infinity', { budget: { max: Number.POSITIVE_INFINITY } }, '$.budget.max', /Infinity is not a JSON number/],
    ['undefined', { target: undefined }, '$.target', /undefined is not JSON; omit the key or use null/],
    ['a function', { run: () => 1 }, '$.run', /a function is not JSON data/],
    ['a symbol', [Symbol('x')], '$[0]', /a symbol is not JSON data/],
    ['a bigint', { size: 10n }, '$.size', /encode it as a decimal string/],
    ['a Date', { at: new Date(0) }, '$.at', /a Date is not plain data; convert it/],
    ['a Map', { args: new Map() }, '$.args', /a Map is not plain data/],
    ['a key that is not an identifier', { 'rollback notes': undefined }, '$["rollback notes"]', /undefined/],
  ])('rejects %s with the path where it sits', (_label, value, path, message) => {
    const error = encodingError(value);
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`cannot encode ${path} canonically`);
  });

  it('rejects an array hole instead of reading it as null', () => {
    const steps: unknown[] = ['a'];
    steps[2] = 'c';
    expect(encodingError({ steps }).path).toBe('$.steps[1]');
  });

  it('rejects symbol keys, which JSON would silently drop', () => {
    expect(encodingError({ [Symbol('hidden')]: 1, visible: 2 }).message).toMatch(/symbol keys are not JSON/);
  });

  it('rejects a cycle and names both where it closes and what it points back to', () => {
    const step: Record<string, unknown> = { id: 'a' };
    const plan = { steps: [step] };
    step['parent'] = plan;
    const error = encodingError(plan);
    expect(error.path).toBe('$.steps[0].parent');
    expect(error.message).toMatch(/cycle: this refers back to \$; canonical JSON needs a tree/);
  });
});
