import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TornTailRepair } from '@12-factor-agentops/core';
import { JournalCorrupt, LocalMissionStore, OwnerRecordUnreadable, UnknownMissionState, loadMission } from '../src/index.ts';
import type { WorkerIdentity } from '../src/index.ts';

const T0 = 1_800_000_000_000;
const TTL = 10_000;
const alice: WorkerIdentity = { worker: 'alice', host: 'host-a.example', pid: 4242 };
const bob: WorkerIdentity = { worker: 'bob', host: 'host-b.example', pid: 4343 };
let root: string;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mission-local-'));
});
afterAll(async () => {
  for (const store of opened) await store.close();
  await rm(root, { recursive: true, force: true });
});

const opened: LocalMissionStore[] = [];
async function freshStore(options: { onTornTail?: (r: TornTailRepair) => void } = {}) {
  const store = await LocalMissionStore.open(join(root, `store-${++n}`), options);
  opened.push(store);
  await store.create('m', ['a', 'b'], T0);
  return { store, journal: join(store.where, 'm', 'journal.jsonl'), ownerDir: join(store.where, 'm', 'owner') };
}

describe('the local store on bad data', () => {
  it('names the file and line of a complete journal line that is not JSON, and changes nothing', async () => {
    const { store, journal } = await freshStore();
    await appendFile(journal, '{"kind":"claimed",\n');
    const before = await readFile(journal);
    await expect(store.read('m')).rejects.toThrow(new JournalCorrupt(journal, 2, 'not valid JSON'));
    await expect(store.claim('m', alice, T0, TTL)).rejects.toThrow(`${journal}:2: not valid JSON`);
    expect(await readFile(journal)).toEqual(before);
    expect(await readdir(join(store.where, 'm'))).not.toContain('owner');
  });

  it('refuses a journal line or owner record with bytes that are not UTF-8, naming where, and changes nothing', async () => {
    const { store, journal, ownerDir } = await freshStore();
    const good = await readFile(journal);
    // The step name "a" of the first record, its one byte replaced by 0xff: still valid JSON once decoded loosely.
    const at = good.indexOf('"a"') + 1;
    const damaged = Buffer.from(good);
    damaged[at] = 0xff;
    await writeFile(journal, damaged);
    await expect(store.read('m')).rejects.toThrow(new JournalCorrupt(journal, 1, `not valid UTF-8 (byte ${at + 1} of the line)`));
    await expect(store.claim('m', alice, T0, TTL)).rejects.toThrow(JournalCorrupt);
    expect(await readFile(journal)).toEqual(damaged);

    await writeFile(journal, good);
    await mkdir(ownerDir);
    await writeFile(join(ownerDir, 'owner.json'), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]));
    await expect(store.claim('m', alice, T0, TTL)).rejects.toThrow(new OwnerRecordUnreadable(ownerDir, 'owner.json is not valid UTF-8'));
    expect(await readdir(ownerDir)).toEqual(['owner.json']);
  });

  it('refuses a state a newer release wrote, naming where it was read', async () => {
    const { store, journal } = await freshStore();
    const own = await store.claim('m', alice, T0, TTL);
    await appendFile(journal, `${JSON.stringify({ kind: 'transition', token: own.token, event: 'PLAN', from: 'pending', to: 'archived', at: T0 })}\n`);
    const error = await store.read('m').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownMissionState);
    expect((error as Error).message).toBe(`Unknown mission state "archived" at ${journal}:3: a newer release may have written it. Run that release; nothing was changed.`);
  });

  it('refuses a record that does not follow from the ones before it', async () => {
    const { store, journal } = await freshStore();
    const own = await store.claim('m', alice, T0, TTL);
    await appendFile(journal, `${JSON.stringify({ kind: 'transition', token: own.token, event: 'COMPLETE', from: 'pending', to: 'completed', at: T0 })}\n`);
    await expect(loadMission(store, 'm')).rejects.toThrow(`${journal}:3: the table refuses COMPLETE in state "pending". The journal was not changed; inspect or restore it before resuming the mission.`);
    const unclaimed = await freshStore();
    await appendFile(unclaimed.journal, `${JSON.stringify({ kind: 'step-done', token: 7, step: 'a', key: 'm/a', at: T0 })}\n`);
    await expect(loadMission(unclaimed.store, 'm')).rejects.toThrow(/:2: token 7 was never claimed/);
  });

  it('refuses a lock directory without a readable owner record, and leaves it in place', async () => {
    const { store, ownerDir } = await freshStore();
    await mkdir(ownerDir);
    await expect(store.claim('m', alice, T0, TTL)).rejects.toThrow(new OwnerRecordUnreadable(ownerDir, 'owner.json is missing'));
    await writeFile(join(ownerDir, 'owner.json'), '{"worker":');
    await expect(store.claim('m', alice, T0, TTL)).rejects.toThrow(`Lock directory ${ownerDir} has no readable owner record (owner.json is not valid JSON)`);
    await writeFile(join(ownerDir, 'owner.json'), '{"worker":"x"}');
    await expect(store.claim('m', alice, T0, TTL)).rejects.toThrow(/lacks missionId, worker, host, pid, token or expiresAt/);
    expect(await readFile(join(ownerDir, 'owner.json'), 'utf8')).toBe('{"worker":"x"}');
  });

  it('leaves a torn last line alone when reading, and cuts it off, reported, when a new owner claims', async () => {
    const repairs: TornTailRepair[] = [];
    const { store, journal } = await freshStore({ onTornTail: (r) => repairs.push(r) });
    await appendFile(journal, '{"kind":"claimed","tok');
    expect(await store.read('m')).toHaveLength(1);
    expect(repairs).toEqual([]);
    const own = await store.claim('m', alice, T0, TTL);
    expect(repairs).toEqual([expect.objectContaining({ path: journal, removedBytes: 22, keptLines: 1 })]);
    expect((await loadMission(store, 'm')).token).toBe(own.token);
  });

  it('ignores, when replaying, a record a superseded owner appended after the takeover', async () => {
    const { store, journal } = await freshStore();
    const first = await store.claim('m', alice, T0, TTL);
    const second = await store.claim('m', bob, T0 + TTL, TTL);
    // alice passed her check before bob's claim, was paused, and her append lands now.
    const late = { kind: 'transition', token: first.token, event: 'PLAN', from: 'pending', to: 'planning', at: T0 + 1 };
    await appendFile(journal, `${JSON.stringify(late)}\n`);
    const mission = await loadMission(store, 'm');
    expect(mission.state).toBe('pending');
    expect(mission.lateWritesIgnored.map((s) => s.record)).toEqual([late]);
    await store.append(second, { kind: 'transition', token: second.token, event: 'PLAN', from: 'pending', to: 'planning', at: T0 + TTL }, T0 + TTL);
    expect((await loadMission(store, 'm')).state).toBe('planning');
  });

  it('keeps the owner record in a lock directory that exists only while the mission is owned', async () => {
    const { store, ownerDir } = await freshStore();
    const own = await store.claim('m', alice, T0, TTL);
    expect(JSON.parse(await readFile(join(ownerDir, 'owner.json'), 'utf8'))).toEqual({ missionId: 'm', ...alice, token: own.token, expiresAt: T0 + TTL });
    await store.release(own, T0 + 1);
    expect(await readdir(join(store.where, 'm'))).toEqual(['journal.jsonl']);
  });
});
