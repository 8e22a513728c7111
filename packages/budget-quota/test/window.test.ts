import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_USAGE } from '../src/usage.ts';
import { FixedWindow, RollingWindow } from '../src/window.ts';

// Commits at increasing times, each followed by a look at the window at a later time.
const timeline = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 5_000 }), tokens: fc.integer({ min: 0, max: 1_000 }) }), { maxLength: 60 });

describe('rolling window', () => {
  it('counts every commit younger than the window and none older than the window plus one bucket', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 0, max: 10 ** 12 }), timeline, (durationMs, start, steps) => {
        const window = new RollingWindow(durationMs);
        const commits: { at: number; tokens: number }[] = [];
        let now = start;
        for (const step of steps) {
          now += step.gap;
          window.advance(now);
          window.add(now, { ...NO_USAGE, tokens: step.tokens }, NO_USAGE);
          commits.push({ at: now, tokens: step.tokens });
          const later = now + step.gap;
          window.advance(later);
          const exact = commits.filter((commit) => commit.at > later - durationMs).reduce((sum, commit) => sum + commit.tokens, 0);
          const widest = commits.filter((commit) => commit.at > later - durationMs - 2 * window.bucketMs).reduce((sum, commit) => sum + commit.tokens, 0);
          expect(window.committed.tokens).toBeGreaterThanOrEqual(exact);
          expect(window.committed.tokens).toBeLessThanOrEqual(widest);
          now = later;
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('fixed window', () => {
  it('counts exactly the commits made since the last epoch-aligned boundary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 0, max: 10 ** 12 }), timeline, (durationMs, start, steps) => {
        const window = new FixedWindow(durationMs);
        const commits: { at: number; tokens: number }[] = [];
        let now = start;
        for (const step of steps) {
          now += step.gap;
          window.advance(now);
          window.add(now, { ...NO_USAGE, tokens: step.tokens }, { ...NO_USAGE, tokens: step.tokens });
          commits.push({ at: now, tokens: step.tokens });
          const boundary = now - (now % durationMs);
          const exact = commits.filter((commit) => commit.at >= boundary).reduce((sum, commit) => sum + commit.tokens, 0);
          expect(window.start).toBe(boundary);
          expect(window.committed.tokens).toBe(exact);
          expect(window.overshoot.tokens).toBe(exact);
        }
      }),
      { numRuns: 200 },
    );
  });
});
