import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/index.ts';

describe('seededRandom', () => {
  it('repeats the same sequence for the same seed, and another for another seed', () => {
    const draw = (seed: number): number[] => Array.from({ length: 5 }, seededRandom(seed));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps every number in [0, 1), for any seed (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (seed) => {
        const next = seededRandom(seed);
        for (let i = 0; i < 50; i += 1) {
          const value = next();
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThan(1);
        }
      }),
    );
  });

  it('spreads its numbers: each tenth of [0, 1) gets 8–12% of 10,000 draws', () => {
    const next = seededRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i += 1) {
      const bucket = Math.floor(next() * 10);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const count of buckets) {
      expect(count).toBeGreaterThanOrEqual(800);
      expect(count).toBeLessThanOrEqual(1_200);
    }
  });

  it('refuses a seed that is not a finite number', () => {
    for (const seed of [Number.NaN, Infinity, -Infinity]) expect(() => seededRandom(seed)).toThrow(/seed must be a finite number/);
  });
});
