import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startScript } from '@12-factor-agentops/sql/testing';
import { MissionOwned, loadMission, resume, thisProcess } from '../src/index.ts';
import type { MissionStore } from '../src/index.ts';
import { openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';

const WORKER = fileURLToPath(new URL('./support/crash-worker.ts', import.meta.url));
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const STEPS = Array.from({ length: 30 }, (_, i) => `s${i + 1}`);

function effects(path: string): { step: string; generation: number }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => ({ step: l.split(' ')[0] as string, generation: Number(l.split(' ')[1]) }));
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe.each(['local', 'server'] as const)('worker processes on the %s store', (kind) => {
  let backend: Backend;
  let store: MissionStore;
  let folder: string;
  beforeAll(async () => {
    backend = await openBackend(kind);
    store = await backend.openStore();
    folder = await mkdtemp(join(tmpdir(), 'mission-owners-'));
  });
  afterAll(async () => {
    await backend.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('lets exactly one of two workers started at once own the mission; each step runs once', async () => {
    await store.create('race', STEPS, Date.now());
    const file = join(folder, 'race.txt');
    const args = (g: number) => [backend.target as string, 'race', String(g), file, '5', '30000', 'wait'];
    const [one, two] = [startScript(WORKER, args(1), { cwd: PACKAGE }), startScript(WORKER, args(2), { cwd: PACKAGE })];
    const [a, b] = await Promise.all([one.exited, two.exited]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const runs = effects(file);
    // One worker ran every step exactly once; the other was told the mission was owned.
    expect(runs.map((r) => r.step)).toEqual(STEPS);
    expect(new Set(runs.map((r) => r.generation)).size).toBe(1);
    const mission = await loadMission(store, 'race');
    expect(mission.state).toBe('completed');
    expect(mission.lateWritesIgnored).toEqual([]);
    // Between two claims, every record carries the token of the claim before it.
    let token = 0;
    for (const { record } of mission.accepted.slice(1)) {
      if (record.kind === 'claimed') {
        expect(record.token).toBeGreaterThan(token);
        token = record.token;
      } else expect(record).toMatchObject({ token });
    }
  });

  it('refuses the writes of a worker that was paused (SIGSTOP) past its lease once it wakes (SIGCONT)', async () => {
    const ttlMs = 1_500;
    await store.create('paused', STEPS, Date.now());
    const file = join(folder, 'paused.txt');
    const paused = startScript(WORKER, [backend.target as string, 'paused', '1', file, '20', String(ttlMs)], { cwd: PACKAGE });
    onTestFinished(() => {
      // A failed run must not leave a stopped process behind.
      if (paused.process.exitCode === null && paused.process.signalCode === null) {
        paused.process.kill('SIGCONT');
        paused.process.kill('SIGKILL');
      }
    });
    await until(() => effects(file).length >= 3, 'the first worker to run three steps');
    paused.process.kill('SIGSTOP');
    // The stopped process is alive, so the new worker must wait for its lease to run out.
    const me = thisProcess('successor');
    let owned = 0;
    const ran: string[] = [];
    let woken = false;
    for (;;) {
      try {
        await resume('paused', {
          store,
          worker: me,
          ttlMs: 30_000,
          steps: Object.fromEntries(
            STEPS.map((s) => [
              s,
              async () => {
                ran.push(s);
                if (!woken && ran.length === 2) {
                  woken = true;
                  paused.process.kill('SIGCONT');
                  await paused.exited;
                }
              },
            ]),
          ),
        });
        break;
      } catch (error) {
        if (!(error instanceof MissionOwned)) throw error;
        owned += 1;
        await sleep(50);
      }
    }
    expect(owned).toBeGreaterThan(0);
    const exit = await paused.exited;
    expect(exit.code).toBe(3);
    expect(exit.stdout).toMatch(/refused (superseded|expired)/);
    const mission = await loadMission(store, 'paused');
    expect(mission.state).toBe('completed');
    // Every accepted record after the successor's claim carries the successor's token.
    const claims = mission.accepted.filter((s) => s.record.kind === 'claimed');
    const last = claims.at(-1);
    expect(last?.record).toMatchObject({ worker: 'successor' });
    const lastToken = (last?.record as { token: number }).token;
    for (const s of mission.accepted.filter((r) => r.seq > (last?.seq ?? 0))) expect(s.record).toMatchObject({ token: lastToken });
    expect(new Set(STEPS)).toEqual(mission.done);
  });
});
