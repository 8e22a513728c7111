// A small seeded generator for tests and benchmarks that must repeat exactly: the same seed
// gives the same sequence on every run and machine, so a failing run can be replayed.

/**
 * Numbers in [0, 1) from `seed` (mulberry32: 32 bits of state, fast, well spread; not for
 * anything secret). `seed` is read as an unsigned 32-bit integer.
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${String(seed)}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
