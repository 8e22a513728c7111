import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMissionStore, loadMission, resume, thisProcess } from '../src/index.ts';
import { checkCrashLoop } from './support/check-crash-loop.ts';
import { crashLoop } from './support/crash-loop.ts';

// Each step sleeps 2 ms, so a worker killed within 60 ms of starting does at most 30 steps: twenty
// kills cannot finish the 1,000 steps, however fast the disk, and every kill lands mid-mission.
const STEPS = Array.from({ length: 1_000 }, (_, i) => `step-${String(i + 1).padStart(4, '0')}`);
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mission-crash-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a mission on the local store, its worker killed with SIGKILL 20 times', () => {
  it('ends completed, equal to an uninterrupted run, with no step recorded done ever run again', async () => {
    const store = await LocalMissionStore.open(join(root, 'crashed'));
    await store.create('crash-mission', STEPS, Date.now());
    const result = await crashLoop({
      store,
      target: store.where,
      missionId: 'crash-mission',
      effects: join(root, 'effects.txt'),
      kills: 20,
      seed: 0x5eed_0006,
      maxKillDelayMs: 60,
      stepMs: 2,
      ttlMs: 30_000,
    });
    const clean = await LocalMissionStore.open(join(root, 'clean'));
    await clean.create('crash-mission', STEPS, Date.now());
    await resume('crash-mission', { store: clean, worker: thisProcess('uninterrupted'), steps: Object.fromEntries(STEPS.map((s) => [s, async () => undefined])) });
    checkCrashLoop(result, STEPS, await loadMission(clean, 'crash-mission'));
    // A killed owner's PID is dead, so each new worker took over at once rather than waiting 30 s.
    const claims = result.final.accepted.filter((stored) => stored.record.kind === 'claimed');
    expect(claims.length).toBeGreaterThanOrEqual(2);
    await store.close();
    await clean.close();
  }, 300_000); // generous: the whole-repository run shares two cores with every other suite
});
