import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMission, resume, thisProcess } from '../src/index.ts';
import type { MissionStore } from '../src/index.ts';
import { openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';
import { checkCrashLoop } from './support/check-crash-loop.ts';
import { crashLoop } from './support/crash-loop.ts';

// Each step sleeps 2 ms, so a worker killed within 150 ms of starting does at most 75 steps: ten
// kills cannot finish the 800 steps, however fast the server, and every kill lands mid-mission.
const STEPS = Array.from({ length: 800 }, (_, i) => `step-${String(i + 1).padStart(3, '0')}`);
let backend: Backend;
let store: MissionStore;
let folder: string;

beforeAll(async () => {
  backend = await openBackend('server');
  store = await backend.openStore();
  folder = await mkdtemp(join(tmpdir(), 'mission-crash-server-'));
});
afterAll(async () => {
  await backend.close();
  await rm(folder, { recursive: true, force: true });
});

describe('a mission on a real PostgreSQL server, its worker killed with SIGKILL 10 times', () => {
  it('ends completed, equal to an uninterrupted run, with no step recorded done ever run again', async () => {
    await store.create('crash-mission', STEPS, Date.now());
    const result = await crashLoop({
      store,
      target: backend.target as string,
      missionId: 'crash-mission',
      effects: join(folder, 'effects.txt'),
      kills: 10,
      seed: 0x5eed_5e4e,
      maxKillDelayMs: 150,
      stepMs: 2,
      ttlMs: 30_000,
    });
    await store.create('clean-mission', STEPS, Date.now());
    await resume('clean-mission', { store, worker: thisProcess('uninterrupted'), steps: Object.fromEntries(STEPS.map((s) => [s, async () => undefined])) });
    const clean = await loadMission(store, 'clean-mission');
    checkCrashLoop(result, STEPS, { ...clean, missionId: 'crash-mission' });
    expect(result.final.accepted.filter((s) => s.record.kind === 'claimed').length).toBeGreaterThanOrEqual(2);
  }, 300_000); // generous: the whole-repository run shares two cores with every other suite
});
