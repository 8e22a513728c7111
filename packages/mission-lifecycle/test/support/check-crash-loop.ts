import { expect } from 'vitest';
import type { MissionSnapshot } from '../../src/index.ts';
import type { CrashLoopResult } from './crash-loop.ts';

/** The assertions every crash loop must pass, on any store. */
export function checkCrashLoop(result: CrashLoopResult, steps: readonly string[], uninterrupted: MissionSnapshot): void {
  const { final } = result;
  expect(final.state).toBe('completed');
  expect(final.state).toBe(uninterrupted.state);
  expect([...final.done].sort()).toEqual([...uninterrupted.done].sort());
  expect(final.interrupted.size).toBe(0);
  // Every step ran at least once.
  const ran = new Set(result.runs.map((run) => run.step));
  for (const step of steps) expect(ran.has(step), `${step} never ran`).toBe(true);
  // A step recorded done when generation g was killed was never run by a later generation.
  for (const run of result.runs) {
    for (const [killed, done] of result.doneAtKill) {
      if (killed < run.generation && done.has(run.step)) {
        throw new Error(`step ${run.step} was recorded done when generation ${killed} was killed, yet generation ${run.generation} ran it again`);
      }
    }
  }
  // The transitions are those of an uninterrupted run: PLAN, START, COMPLETE, once each.
  const events = (snapshot: MissionSnapshot) => snapshot.accepted.flatMap((s) => (s.record.kind === 'transition' ? [s.record.event] : []));
  expect(events(final)).toEqual(events(uninterrupted));
  // Each generation that ran a step held a token larger than the one before it.
  const tokens = final.accepted.flatMap((s) => (s.record.kind === 'claimed' ? [s.record.token] : []));
  expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
  expect(new Set(tokens).size).toBe(tokens.length);
}
