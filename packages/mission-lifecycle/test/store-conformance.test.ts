import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, ManualClock } from '@12-factor-agentops/core';
import {
  FencingTokenRejected,
  InvalidTransition,
  MissionExists,
  MissionNotFound,
  MissionOwned,
  StepFailed,
  loadMission,
  resume,
  sendEvent,
} from '../src/index.ts';
import type { MissionStore, Ownership, StepFunction, Takeover, WorkerIdentity } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';

const T0 = 1_800_000_000_000;
const TTL = 10_000;
// Workers "on another host", so only lease expiry can make them stale.
const alice: WorkerIdentity = { worker: 'alice', host: 'host-a.example', pid: 4242 };
const bob: WorkerIdentity = { worker: 'bob', host: 'host-b.example', pid: 4343 };

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid as number;
}

const noop = (names: readonly string[]): Record<string, StepFunction> => Object.fromEntries(names.map((n) => [n, async () => undefined]));

describe.each(BACKENDS)('the mission store on %s', (kind) => {
  let backend: Backend;
  let store: MissionStore;
  let n = 0;
  const fresh = async (steps: readonly string[] = ['a', 'b', 'c']): Promise<string> => {
    const id = `m-${++n}`;
    await store.create(id, steps, T0);
    return id;
  };

  beforeAll(async () => {
    backend = await openBackend(kind);
    store = await backend.openStore();
  });
  afterAll(async () => {
    await backend.close();
  });

  it('creates a mission in state pending with its steps, and refuses the same id twice leaving it unchanged', async () => {
    const id = await fresh(['fetch', 'review']);
    await expect(store.create(id, ['other'], T0 + 1)).rejects.toThrow(MissionExists);
    const mission = await loadMission(store, id);
    expect(mission).toMatchObject({ state: 'pending', steps: ['fetch', 'review'], token: 0 });
    expect(mission.done.size).toBe(0);
  });

  it('names the id of a mission that does not exist', async () => {
    await expect(store.read('no-such-mission')).rejects.toThrow(MissionNotFound);
    await expect(store.claim('no-such-mission', alice, T0, TTL)).rejects.toThrow(/No mission "no-such-mission"/);
  });

  it('refuses bad arguments with InvalidOptionError and writes nothing', async () => {
    await expect(store.create('../escape', ['a'], T0)).rejects.toThrow(InvalidOptionError);
    await expect(store.create('', ['a'], T0)).rejects.toThrow(InvalidOptionError);
    await expect(store.create('dup-steps', ['a', 'a'], T0)).rejects.toThrow(/steps\[1\]/);
    await expect(store.create('empty-step', ['a', ''], T0)).rejects.toThrow(/steps\[1\]/);
    await expect(store.create('nan-time', ['a'], Number.NaN)).rejects.toThrow(/`now`/);
    await expect(store.read('dup-steps')).rejects.toThrow(MissionNotFound);
    const id = await fresh();
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) await expect(store.claim(id, alice, T0, ttl)).rejects.toThrow(/`ttlMs`/);
    await expect(store.claim(id, { ...alice, pid: -3 }, T0, TTL)).rejects.toThrow(/`pid`/);
    await expect(store.claim(id, alice, -5, TTL)).rejects.toThrow(/`now`/);
    expect((await loadMission(store, id)).token).toBe(0);
  });

  it('gives one owner at a time, a larger token to each new owner, and refuses the old owner once replaced', async () => {
    const id = await fresh();
    const takeovers: Takeover[] = [];
    const other = await backend.openStore((t) => takeovers.push(t));
    const first = await store.claim(id, alice, T0, TTL);
    const owned = await other.claim(id, bob, T0 + 1, TTL).catch((error: unknown) => error);
    expect(owned).toBeInstanceOf(MissionOwned);
    expect((owned as Error).message).toContain('worker "alice" (pid 4242 on host-a.example');
    // The lease runs out: bob takes over with a larger token.
    const second = await other.claim(id, bob, T0 + TTL, TTL);
    expect(second.token).toBeGreaterThan(first.token);
    expect(takeovers).toEqual([expect.objectContaining({ missionId: id, why: 'lease-expired', previous: expect.objectContaining({ worker: 'alice', token: first.token }) })]);
    const before = await store.read(id);
    const late = await store.append(first, { kind: 'transition', token: first.token, event: 'PLAN', from: 'pending', to: 'planning', at: T0 + TTL + 1 }, T0 + TTL + 1).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(FencingTokenRejected);
    expect(late).toMatchObject({ reason: 'superseded' });
    expect(await store.read(id)).toEqual(before);
    await expect(store.renew(first, T0 + TTL + 2, TTL)).rejects.toThrow(FencingTokenRejected);
    // A stale release leaves the new owner alone.
    await store.release(first, T0 + TTL + 3);
    await expect(store.claim(id, alice, T0 + TTL + 4, TTL)).rejects.toThrow(MissionOwned);
    await other.append(second, { kind: 'transition', token: second.token, event: 'PLAN', from: 'pending', to: 'planning', at: T0 + TTL + 5 }, T0 + TTL + 5);
    expect((await loadMission(store, id)).state).toBe('planning');
  });

  it('refuses a write under its own expired lease even when nobody else has claimed', async () => {
    const id = await fresh();
    const own = await store.claim(id, alice, T0, TTL);
    const error = await store.append(own, { kind: 'transition', token: own.token, event: 'PLAN', from: 'pending', to: 'planning', at: T0 + TTL }, T0 + TTL).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'FencingTokenRejected', reason: 'expired' });
    expect((await loadMission(store, id)).state).toBe('pending');
  });

  it('renews a held lease and lets it hold past its first expiry', async () => {
    const id = await fresh();
    const own = await store.claim(id, alice, T0, TTL);
    const renewed = await store.renew(own, T0 + TTL - 1, TTL);
    expect(renewed.expiresAt).toBe(T0 + 2 * TTL - 1);
    await expect(store.claim(id, bob, T0 + TTL + 5, TTL)).rejects.toThrow(MissionOwned);
    await store.append(renewed, { kind: 'transition', token: own.token, event: 'PLAN', from: 'pending', to: 'planning', at: T0 + TTL + 6 }, T0 + TTL + 6);
  });

  it('takes over at once from an owner on this host whose process is dead', async () => {
    const id = await fresh();
    const takeovers: Takeover[] = [];
    const other = await backend.openStore((t) => takeovers.push(t));
    const dead: WorkerIdentity = { worker: 'killed', host: hostname(), pid: deadPid() };
    const first = await store.claim(id, dead, T0, 3_600_000);
    const second = await other.claim(id, bob, T0 + 1, TTL);
    expect(second.token).toBeGreaterThan(first.token);
    expect(takeovers).toEqual([expect.objectContaining({ why: 'owner-process-dead' })]);
  });

  it('waits for a live owner on this host: its PID is alive, so only expiry frees the mission', async () => {
    const id = await fresh();
    await store.claim(id, { worker: 'me', host: hostname(), pid: process.pid }, T0, TTL);
    await expect(store.claim(id, bob, T0 + 1, TTL)).rejects.toThrow(MissionOwned);
  });

  it('hands the mission to the next worker at once after a release', async () => {
    const id = await fresh();
    const own = await store.claim(id, alice, T0, TTL);
    await store.release(own, T0 + 1);
    const next = await store.claim(id, bob, T0 + 2, TTL);
    expect(next.token).toBeGreaterThan(own.token);
  });

  it('runs a mission to completion: plan, start, each step between a started and a done record, complete', async () => {
    const id = await fresh(['a', 'b', 'c']);
    const ran: string[] = [];
    const mission = await resume(id, {
      store,
      worker: alice,
      clock: new ManualClock(T0),
      steps: Object.fromEntries(['a', 'b', 'c'].map((s) => [s, async (c: { key: string }) => void ran.push(c.key)])),
    });
    expect(mission.state).toBe('completed');
    expect(ran).toEqual([`${id}/a`, `${id}/b`, `${id}/c`]);
    const kinds = mission.accepted.map((s) => (s.record.kind === 'transition' ? s.record.event : s.record.kind));
    expect(kinds).toEqual(['created', 'claimed', 'PLAN', 'START', 'step-started', 'step-done', 'step-started', 'step-done', 'step-started', 'step-done', 'COMPLETE']);
    // Finished: resuming again runs nothing.
    await resume(id, { store, worker: bob, clock: new ManualClock(T0 + 1), steps: noop([]) });
    expect(ran).toHaveLength(3);
    // The lease was released: anyone may claim at once.
    await expect(store.claim(id, bob, T0 + 2, TTL)).resolves.toBeDefined();
  });

  it('resumes from the journal: a step recorded done is skipped, a step started but not done runs again', async () => {
    const id = await fresh(['a', 'b', 'c']);
    const own = await store.claim(id, alice, T0, TTL);
    const t = own.token;
    await store.append(own, { kind: 'transition', token: t, event: 'PLAN', from: 'pending', to: 'planning', at: T0 }, T0);
    await store.append(own, { kind: 'transition', token: t, event: 'START', from: 'planning', to: 'running', at: T0 }, T0);
    await store.append(own, { kind: 'step-started', token: t, step: 'a', key: `${id}/a`, at: T0 }, T0);
    await store.append(own, { kind: 'step-done', token: t, step: 'a', key: `${id}/a`, at: T0 }, T0);
    await store.append(own, { kind: 'step-started', token: t, step: 'b', key: `${id}/b`, at: T0 }, T0);
    // alice stops here without a release; bob comes after her lease.
    expect((await loadMission(store, id)).interrupted).toEqual(new Set(['b']));
    const ran: string[] = [];
    const mission = await resume(id, { store, worker: bob, clock: new ManualClock(T0 + TTL), steps: Object.fromEntries(['a', 'b', 'c'].map((s) => [s, async () => void ran.push(s)])) });
    expect(ran).toEqual(['b', 'c']);
    expect(mission.state).toBe('completed');
  });

  it('records failed and throws StepFailed when a step throws; the failed mission stays failed', async () => {
    const id = await fresh(['a', 'b']);
    const steps = { a: async () => undefined, b: async () => Promise.reject(new Error('tool answered 500')) };
    const error = await resume(id, { store, worker: alice, clock: new ManualClock(T0), steps }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailed);
    expect((error as Error).message).toBe(`Step "b" of mission "${id}" failed: tool answered 500`);
    const mission = await loadMission(store, id);
    expect(mission.state).toBe('failed');
    const last = mission.accepted.at(-1)?.record;
    expect(last).toMatchObject({ kind: 'transition', event: 'FAIL', reason: 'step "b": tool answered 500' });
    const records = await store.read(id);
    await expect(sendEvent(id, 'RESUME', { store, worker: alice, clock: new ManualClock(T0 + 1) })).rejects.toThrow(InvalidTransition);
    expect(await store.read(id)).toEqual(records);
  });

  it('refuses an illegal transition with nothing written, and leaves a paused mission paused until it is resumed', async () => {
    const id = await fresh(['a']);
    const clock = new ManualClock(T0);
    const before = (await store.read(id)).length;
    await expect(sendEvent(id, 'COMPLETE', { store, worker: alice, clock })).rejects.toThrow('Event COMPLETE is not allowed in state "pending"');
    expect(await store.read(id)).toHaveLength(before);
    await sendEvent(id, 'PLAN', { store, worker: alice, clock });
    await sendEvent(id, 'START', { store, worker: alice, clock });
    await sendEvent(id, 'PAUSE', { store, worker: alice, clock, reason: 'operator' });
    const ran: string[] = [];
    const steps = { a: async () => void ran.push('a') };
    expect((await resume(id, { store, worker: bob, clock, steps })).state).toBe('paused');
    expect(ran).toEqual([]);
    await sendEvent(id, 'RESUME', { store, worker: alice, clock });
    expect((await resume(id, { store, worker: bob, clock, steps })).state).toBe('completed');
    expect(ran).toEqual(['a']);
  });

  it('passes each step the same idempotency key on every run and the token of its owner', async () => {
    const id = await fresh(['only']);
    const seen: { key: string; token: number }[] = [];
    const own: Ownership = await store.claim(id, alice, T0, TTL);
    await store.append(own, { kind: 'transition', token: own.token, event: 'PLAN', from: 'pending', to: 'planning', at: T0 }, T0);
    await store.append(own, { kind: 'transition', token: own.token, event: 'START', from: 'planning', to: 'running', at: T0 }, T0);
    await store.append(own, { kind: 'step-started', token: own.token, step: 'only', key: `${id}/only`, at: T0 }, T0);
    await resume(id, { store, worker: bob, clock: new ManualClock(T0 + TTL), steps: { only: async (c) => void seen.push({ key: c.key, token: c.token }) } });
    expect(seen).toEqual([{ key: `${id}/only`, token: expect.any(Number) }]);
    expect(seen[0]?.token).toBeGreaterThan(own.token);
  });
});
