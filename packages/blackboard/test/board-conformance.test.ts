// One contract, three stores: memory, PGlite and a real PostgreSQL server.
import { InvalidOptionError } from '@12-factor-agentops/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BoardWatcher,
  Conflict,
  FencingTokenRejected,
  InputTooLarge,
  IntentChanged,
  NotJson,
  ShardNotFound,
  UnknownShardType,
  mergeMission,
} from '../src/index.ts';
import type { Blackboard, Change, Claim, Json } from '../src/index.ts';
import { STORES, openBoard } from './support/boards.ts';
import type { OpenedBoard } from './support/boards.ts';

const T0 = 1_700_000_000_000;
const TTL = 10_000;

describe.each(STORES)('board on %s', (kind) => {
  let opened: OpenedBoard;
  let board: Blackboard;
  let missions = 0;
  // A fresh, empty board for every test, so one test's shards never answer another's claims.
  beforeEach(async () => {
    opened = await openBoard(kind);
    board = opened.board;
  });
  afterEach(async () => {
    await opened.close();
  });
  const missionId = (): string => `m${++missions}`;

  async function claimOrThrow(worker: string, type: string, now: number, ttlMs = TTL): Promise<Claim> {
    const claim = await board.claim({ worker, type, now, ttlMs });
    if (claim === undefined) throw new Error(`no ${type} shard was ready for ${worker} at ${now}`);
    return claim;
  }

  describe('entries', () => {
    it('writes with compare-and-set on the version and refuses a stale write with the current version, changing nothing', async () => {
      const first = await board.write('plan', { steps: 1 }, { expectedVersion: 0 });
      expect(first).toMatchObject({ key: 'plan', value: { steps: 1 }, version: 1 });
      const second = await board.write('plan', { steps: 2 }, { expectedVersion: 1 });
      expect(second.version).toBe(2);
      expect(second.revision).toBeGreaterThan(first.revision);

      const stale = await board.write('plan', { steps: 99 }, { expectedVersion: 1 }).catch((error: unknown) => error);
      expect(stale).toBeInstanceOf(Conflict);
      expect(stale).toMatchObject({ key: 'plan', expectedVersion: 1, currentVersion: 2 });
      expect((stale as Error).message).toContain('is at version 2, not 1');
      await expect(board.write('plan', { steps: 99 }, { expectedVersion: 0 })).rejects.toMatchObject({ name: 'Conflict', currentVersion: 2 });
      await expect(board.write('absent', 1, { expectedVersion: 3 })).rejects.toMatchObject({ name: 'Conflict', currentVersion: 0 });
      expect(await board.read('plan')).toEqual(second);
      expect(await board.read('absent')).toBeUndefined();
    });

    it('refuses values that are not plain JSON, naming where, and writes nothing', async () => {
      class Point {
        x = 1;
      }
      const withGetter = Object.defineProperty({}, 'n', { get: () => Math.random(), enumerable: true });
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, { a: [1, undefined] }, new Point(), withGetter, cyclic, () => 1, 10n]) {
        await expect(board.write('bad', bad as Json, { expectedVersion: 0 })).rejects.toBeInstanceOf(NotJson);
      }
      await expect(board.write('bad', { a: [1, undefined] } as unknown as Json, { expectedVersion: 0 })).rejects.toThrow('entry "bad" value.a[1] is not plain JSON: a undefined');
      await expect(board.write('', 1, { expectedVersion: 0 })).rejects.toBeInstanceOf(InvalidOptionError);
      await expect(board.write('x', 1, { expectedVersion: -1 })).rejects.toBeInstanceOf(InvalidOptionError);
      expect(await board.read('bad')).toBeUndefined();
    });

    it('lists each change once at its latest revision, and a watcher that missed notifications catches up', async () => {
      const start = (await board.changesSince(0, 100_000)).revision;
      const watcher = new BoardWatcher(board, start);
      await board.write('w1', 1, { expectedVersion: 0 });
      await board.write('w1', 2, { expectedVersion: 1 });
      await board.write('w2', 1, { expectedVersion: 0 });
      const seen: Change[] = [];
      await watcher.catchUp((changes) => {
        seen.push(...changes);
      }, 1);
      expect(seen.map((change) => `${change.kind}:${change.id}`)).toEqual(['entry:w1', 'entry:w2']);
      expect(seen[0]?.revision).toBeLessThan(seen[1]?.revision ?? 0);
      expect(watcher.revision).toBe(seen[1]?.revision);

      // A handler that throws does not move the watcher: the next look hands over the same change.
      await board.write('w3', 1, { expectedVersion: 0 });
      await expect(watcher.catchUp(() => Promise.reject(new Error('listener broke')))).rejects.toThrow('listener broke');
      const again: string[] = [];
      await watcher.catchUp((changes) => {
        again.push(...changes.map((change) => change.id));
      });
      expect(again).toEqual(['w3']);
      // One posting changes five shards in one revision: a page of two still hands over all five,
      // because a page never splits a revision.
      await board.postMission({ id: 'watched', shards: ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, type: 'review', input: key })) }, T0);
      await board.write('w4', 1, { expectedVersion: 0 });
      const pages: string[][] = [];
      await watcher.catchUp((changes) => {
        pages.push(changes.map((change) => change.id));
      }, 2);
      expect(pages).toEqual([['watched/a', 'watched/b', 'watched/c', 'watched/d', 'watched/e'], ['w4']]);
      await expect(board.changesSince(-1)).rejects.toBeInstanceOf(InvalidOptionError);
      await expect(board.changesSince(Number.NaN)).rejects.toBeInstanceOf(InvalidOptionError);
    });
  });

  describe('shards', () => {
    it('accepts a mission once: posting it again changes nothing, a changed intent is refused and nothing of it is posted', async () => {
      const id = missionId();
      const shards = [
        { key: 'a', type: 'summarise', input: { page: 1 } },
        { key: 'b', type: 'review', input: { page: 2 }, maxAttempts: 2 },
      ];
      expect(await board.postMission({ id, shards }, T0)).toEqual({ posted: 2, existing: 0 });
      expect(await board.postMission({ id, shards: [shards[1] as (typeof shards)[1], shards[0] as (typeof shards)[0]] }, T0 + 5)).toEqual({ posted: 0, existing: 2 });
      const before = await board.changesSince(0, 100_000);

      const changed = board.postMission({ id, shards: [{ key: 'c', type: 'review', input: 1 }, { ...shards[0], input: { page: 7 } }] as never }, T0);
      await expect(changed).rejects.toBeInstanceOf(IntentChanged);
      await expect(board.postMission({ id, shards: [{ key: 'b', type: 'review', input: { page: 2 } }] }, T0)).rejects.toThrow(`Shard "${id}/b" was accepted earlier with a different maxAttempts`);
      expect(await board.shard(`${id}/c`)).toBeUndefined();
      expect(await board.changesSince(0, 100_000)).toEqual(before);
      const view = await board.shard(`${id}/a`);
      expect(view).toMatchObject({ status: 'ready', runs: [], shard: { input: { page: 1 }, createdAt: T0, maxAttempts: 3 } });
    });

    it('refuses an unknown shard type, an oversized input and malformed shards before writing anything', async () => {
      const id = missionId();
      const unknown = board.postMission({ id, shards: [{ key: 'ok', type: 'review', input: 1 }, { key: 'x', type: 'deploy', input: 1 }] }, T0);
      await expect(unknown).rejects.toBeInstanceOf(UnknownShardType);
      await expect(board.postMission({ id, shards: [{ key: 'x', type: 'deploy', input: 1 }] }, T0)).rejects.toThrow('has type "deploy", which this board does not route');
      const big = board.postMission({ id, shards: [{ key: 'big', type: 'review', input: 'x'.repeat(2_000) }] }, T0);
      await expect(big).rejects.toBeInstanceOf(InputTooLarge);
      await expect(big).rejects.toMatchObject({ bytes: 2_002, limit: 1_024 });
      for (const shards of [[], [{ key: 'a/b', type: 'review', input: 1 }], [{ key: 'a', type: 'review', input: 1 }, { key: 'a', type: 'review', input: 2 }], [{ key: 'a', type: 'review', input: 1, maxAttempts: 0 }], [{ key: 'a', type: 'review', input: Number.NaN }]]) {
        await expect(board.postMission({ id, shards } as never, T0)).rejects.toThrow();
      }
      await expect(board.postMission({ id, shards: [{ key: 'a', type: 'review', input: 1 }] }, Number.POSITIVE_INFINITY)).rejects.toBeInstanceOf(InvalidOptionError);
      expect(await board.mission(id)).toEqual([]);
      await expect(board.claim({ worker: 'w', type: 'deploy', now: T0, ttlMs: TTL })).rejects.toBeInstanceOf(UnknownShardType);
      await expect(board.claim({ worker: 'w', type: 'review', now: T0, ttlMs: 0 })).rejects.toBeInstanceOf(InvalidOptionError);
    });

    it('routes by type and claims the oldest ready shard first, opening run 1 with a fencing token', async () => {
      const id = missionId();
      await board.postMission({ id, shards: [{ key: 'late', type: 'translate', input: 'late' }] }, T0 + 2);
      await board.postMission({ id, shards: [{ key: 'early', type: 'translate', input: 'early' }, { key: 'other', type: 'summarise', input: 0 }] }, T0 + 1);
      const claim = await claimOrThrow('w1', 'translate', T0 + 3);
      expect(claim).toMatchObject({ shardId: `${id}/early`, mission: id, type: 'translate', input: 'early', attempt: 1, worker: 'w1', expiresAt: T0 + 3 + TTL });
      const next = await claimOrThrow('w2', 'translate', T0 + 3);
      expect(next.shardId).toBe(`${id}/late`);
      expect(next.token).toBeGreaterThan(claim.token);
      expect(await board.claim({ worker: 'w3', type: 'translate', now: T0 + 3, ttlMs: TTL })).toBeUndefined();
      const view = await board.shard(claim.shardId);
      expect(view?.status).toBe('running');
      expect(view?.runs).toEqual([{ shardId: claim.shardId, attempt: 1, worker: 'w1', token: claim.token, status: 'running', startedAt: T0 + 3, endedAt: null, outcome: undefined, reason: null }]);
      await board.complete(claim, { text: 'done' }, T0 + 4);
      await board.complete(next, null, T0 + 4);
      expect(await board.shard(claim.shardId)).toMatchObject({ status: 'done', result: { text: 'done' }, runs: [{ status: 'succeeded', outcome: { text: 'done' }, endedAt: T0 + 4 }] });
      expect(await board.shard(next.shardId)).toMatchObject({ status: 'done', result: null });
      await board.complete((await claimOrThrow('w1', 'summarise', T0 + 5)), 0, T0 + 5);
    });

    it('gives an expired claim\'s shard to a new run, and refuses the late result of the old one with nothing changed', async () => {
      const id = missionId();
      await board.postMission({ id, shards: [{ key: 's', type: 'review', input: 's' }] }, T0);
      const stalled = await claimOrThrow('paused', 'review', T0, 1_000);
      expect(await board.claim({ worker: 'other', type: 'review', now: T0 + 999, ttlMs: TTL })).toBeUndefined();
      const taker = await claimOrThrow('taker', 'review', T0 + 1_000);
      expect(taker).toMatchObject({ shardId: stalled.shardId, attempt: 2 });
      expect(taker.token).toBeGreaterThan(stalled.token);

      const late = await board.complete(stalled, 'stale result', T0 + 1_001).catch((error: unknown) => error);
      expect(late).toBeInstanceOf(FencingTokenRejected);
      expect(late).toMatchObject({ reason: 'superseded', current: { owner: 'taker', token: taker.token } });
      await expect(board.fail(stalled, 'late failure', T0 + 1_001)).rejects.toMatchObject({ reason: 'superseded' });
      await expect(board.renew(stalled, { now: T0 + 1_001, ttlMs: TTL })).rejects.toBeInstanceOf(FencingTokenRejected);

      await board.complete(taker, 'fresh result', T0 + 1_002);
      const view = await board.shard(stalled.shardId);
      expect(view?.status).toBe('done');
      expect(view?.result).toBe('fresh result');
      expect(view?.runs.map((run) => [run.attempt, run.worker, run.status])).toEqual([
        [1, 'paused', 'expired'],
        [2, 'taker', 'succeeded'],
      ]);
      expect(view?.runs[0]?.reason).toContain('lease ran out without a result');
      await expect(board.complete(taker, 'twice', T0 + 1_003)).rejects.toMatchObject({ name: 'FencingTokenRejected', reason: 'gone' });
      expect((await board.shard(stalled.shardId))?.result).toBe('fresh result');
    });

    it('renews a held claim, and refuses one that already expired', async () => {
      const id = missionId();
      await board.postMission({ id, shards: [{ key: 'r', type: 'review', input: 1 }] }, T0);
      const claim = await claimOrThrow('w', 'review', T0, 1_000);
      const renewed = await board.renew(claim, { now: T0 + 900, ttlMs: 1_000 });
      expect(renewed.expiresAt).toBe(T0 + 1_900);
      expect(await board.claim({ worker: 'x', type: 'review', now: T0 + 1_500, ttlMs: TTL })).toBeUndefined();
      await expect(board.renew(renewed, { now: T0 + 1_900, ttlMs: 1_000 })).rejects.toMatchObject({ reason: 'expired' });
      await expect(board.complete(renewed, 1, T0 + 1_900)).rejects.toMatchObject({ reason: 'expired' });
      expect((await board.shard(claim.shardId))?.status).toBe('running');
    });

    it('retries a failed run after its back-off in a new run, and fails the shard with every reason once attempts are spent', async () => {
      const id = missionId();
      await board.postMission({ id, shards: [{ key: 'f', type: 'summarise', input: 1, maxAttempts: 3, backoff: { baseMs: 100, maxMs: 150 } }] }, T0);
      const first = await claimOrThrow('w', 'summarise', T0);
      expect(await board.fail(first, 'model timed out', T0 + 10)).toEqual({ status: 'retrying', readyAt: T0 + 110 });
      expect(await board.claim({ worker: 'w', type: 'summarise', now: T0 + 109, ttlMs: TTL })).toBeUndefined();
      const second = await claimOrThrow('w', 'summarise', T0 + 110, 50);
      // The second run's worker stops: its lease runs out, and the third run opens at claim time.
      const third = await claimOrThrow('w2', 'summarise', T0 + 160);
      expect([second.attempt, third.attempt]).toEqual([2, 3]);
      expect(await board.fail(third, 'tool refused', T0 + 170)).toEqual({ status: 'failed' });
      expect(await board.claim({ worker: 'w', type: 'summarise', now: T0 + 10_000_000, ttlMs: TTL })).toBeUndefined();
      const view = await board.shard(first.shardId);
      expect(view?.status).toBe('failed');
      expect(view?.runs.map((run) => [run.attempt, run.status, run.reason?.slice(0, 25)])).toEqual([
        [1, 'failed', 'model timed out'],
        [2, 'expired', 'lease ran out without a r'],
        [3, 'failed', 'tool refused'],
      ]);
    });

    it('marks a shard failed at claim time when its last attempt\'s lease ran out', async () => {
      const id = missionId();
      await board.postMission({ id, shards: [{ key: 'once', type: 'translate', input: 1, maxAttempts: 1 }, { key: 'then', type: 'translate', input: 2 }] }, T0);
      const only = await claimOrThrow('w', 'translate', T0, 100);
      expect(only.shardId).toBe(`${id}/once`);
      // The claim at T0 + 100 finds "once" spent, fails it, and moves on to "then".
      const next = await claimOrThrow('w', 'translate', T0 + 100);
      expect(next.shardId).toBe(`${id}/then`);
      expect(await board.shard(only.shardId)).toMatchObject({ status: 'failed', runs: [{ attempt: 1, status: 'expired' }] });
      await board.complete(next, 'ok', T0 + 101);
    });

    it('refuses a result for a shard that does not exist, or with a forged token, and changes nothing', async () => {
      const id = missionId();
      await board.postMission({ id, shards: [{ key: 'k', type: 'review', input: 1 }] }, T0);
      const claim = await claimOrThrow('w', 'review', T0);
      const before = await board.changesSince(0, 100_000);
      await expect(board.complete({ ...claim, shardId: `${id}/nope` }, 1, T0 + 1)).rejects.toBeInstanceOf(ShardNotFound);
      await expect(board.fail({ ...claim, shardId: `${id}/nope` }, 'x', T0 + 1)).rejects.toBeInstanceOf(ShardNotFound);
      await expect(board.complete({ ...claim, token: claim.token + 1_000 }, 1, T0 + 1)).rejects.toMatchObject({ name: 'FencingTokenRejected', reason: 'superseded' });
      await expect(board.complete({ ...claim, token: 0 }, 1, T0 + 1)).rejects.toBeInstanceOf(InvalidOptionError);
      await expect(board.complete({ ...claim, token: Number.NaN }, 1, T0 + 1)).rejects.toBeInstanceOf(InvalidOptionError);
      await expect(board.complete(claim, Number.NaN as Json, T0 + 1)).rejects.toBeInstanceOf(NotJson);
      await expect(board.fail(claim, '', T0 + 1)).rejects.toBeInstanceOf(InvalidOptionError);
      expect(await board.changesSince(0, 100_000)).toEqual(before);
      expect(await board.shard(claim.shardId)).toMatchObject({ status: 'running', runs: [{ status: 'running' }] });
      await board.complete(claim, 1, T0 + 1);
    });
  });

  describe('coordinator', () => {
    it('merges once every shard is done, from the board alone, and a second coordinator reads the same merge', async () => {
      const id = missionId();
      await board.postMission({ id, shards: ['x', 'y', 'z'].map((key, i) => ({ key, type: 'summarise', input: i })) }, T0);
      const sum = (results: ReadonlyMap<string, Json>): Json => [...results.values()].reduce<number>((total, value) => total + (value as number), 0);
      expect(await mergeMission(board, id, 'c1', sum)).toEqual({ status: 'pending', remaining: 3 });
      for (let i = 0; i < 3; i++) {
        const claim = await claimOrThrow('w', 'summarise', T0);
        await board.complete(claim, (claim.input as number) * 10, T0);
      }
      expect(await mergeMission(board, id, 'c1', sum)).toEqual({ status: 'merged', result: 30, mergedBy: 'c1' });
      // A replacement coordinator (the first one "killed") finds the merge written: it is not redone.
      expect(await mergeMission(board, id, 'c2', () => 'different')).toEqual({ status: 'merged', result: 30, mergedBy: 'c1' });
    });

    it('reports which shards failed, with every run', async () => {
      const id = missionId();
      await board.postMission({ id, shards: [{ key: 'ok', type: 'review', input: 1 }, { key: 'bad', type: 'review', input: 2, maxAttempts: 1 }] }, T0);
      const bad = await claimOrThrow('w', 'review', T0);
      await board.fail(bad, 'broken input', T0);
      const outcome = await mergeMission(board, id, 'c', () => 0);
      expect(outcome).toMatchObject({ status: 'failed', failed: [{ shardId: `${id}/bad`, runs: [{ attempt: 1, status: 'failed', reason: 'broken input' }] }] });
    });
  });
});
