// The worker loop on virtual time: renewal, refusal of a lost claim, failures, a throwing observer.
import { VirtualScheduler, sleep } from '@12-factor-agentops/core';
import { DatabaseUnavailable } from '@12-factor-agentops/sql';
import { describe, expect, it } from 'vitest';
import { MemoryBoard, runWorker } from '../src/index.ts';
import type { Blackboard, WorkerEvent } from '../src/index.ts';

// `board` with its claim replaced: a store that answers claims badly.
function withClaim(board: Blackboard, claim: Blackboard['claim']): Blackboard {
  return {
    rules: board.rules,
    read: (key) => board.read(key),
    write: (key, value, at) => board.write(key, value, at),
    changesSince: (revision, limit) => board.changesSince(revision, limit),
    postMission: (mission, now) => board.postMission(mission, now),
    claim,
    renew: (held, at) => board.renew(held, at),
    complete: (held, outcome, now) => board.complete(held, outcome, now),
    fail: (held, reason, now) => board.fail(held, reason, now),
    shard: (id) => board.shard(id),
    mission: (id) => board.mission(id),
    close: () => board.close(),
  };
}

const T0 = 1_700_000_000_000;

describe('runWorker', () => {
  it('renews its claim while a long handler runs, so nobody else takes the shard', async () => {
    const scheduler = new VirtualScheduler(T0);
    const board = new MemoryBoard({ shardTypes: ['slow'] });
    await board.postMission({ id: 'm', shards: [{ key: 'a', type: 'slow', input: 1 }] }, T0);
    const stop = new AbortController();
    const done = runWorker({ board, worker: 'w', type: 'slow', ttlMs: 1_000, scheduler, signal: stop.signal, handle: async () => {
      await sleep(scheduler, 5_000);
      return 'slow result';
    } });
    for (let t = 0; t < 5_000; t += 250) {
      await scheduler.advanceBy(250);
      expect(await board.claim({ worker: 'thief', type: 'slow', now: scheduler.now(), ttlMs: 1_000 })).toBeUndefined();
    }
    await scheduler.advanceBy(250);
    stop.abort();
    await scheduler.advanceBy(1_000);
    expect(await done).toEqual({ completed: 1, failed: 0, refused: 0, storeErrors: 0 });
    expect(await board.shard('m/a')).toMatchObject({ status: 'done', result: 'slow result', runs: [{ attempt: 1, worker: 'w' }] });
  });

  it('drops a result when its claim was lost, and the board keeps the new owner\'s', async () => {
    const scheduler = new VirtualScheduler(T0);
    const board = new MemoryBoard({ shardTypes: ['t'] });
    await board.postMission({ id: 'm', shards: [{ key: 'a', type: 't', input: 1 }] }, T0);
    const events: WorkerEvent[] = [];
    let abortedSeen = false;
    // Renewal is every ttl/3; a renewal refused (here: the lease taken while the handler was paused
    // past its ttl by a clock jump) aborts the handler's signal and the result is refused.
    const done = runWorker({ board, worker: 'paused', type: 't', ttlMs: 900, scheduler, stopWhenIdle: true, onEvent: (event) => {
      events.push(event);
      throw new Error('observer broke');
    }, handle: async (_input, { signal }) => {
      scheduler.stepWallClock(1_000);
      const taker = await board.claim({ worker: 'taker', type: 't', now: scheduler.now(), ttlMs: 10_000 });
      if (taker === undefined) throw new Error('taker found nothing');
      await board.complete(taker, 'taker result', scheduler.now());
      await scheduler.advanceBy(300);
      abortedSeen = signal.aborted;
      return 'paused result';
    } });
    expect(await done).toEqual({ completed: 0, failed: 0, refused: 1, storeErrors: 0 });
    expect(abortedSeen).toBe(true);
    expect(events.map((event) => event.kind)).toEqual(['claimed', 'refused']);
    expect(await board.shard('m/a')).toMatchObject({ status: 'done', result: 'taker result' });
  });

  it('records a handler\'s error as a failed run with its message, and retries it after the back-off', async () => {
    const scheduler = new VirtualScheduler(T0);
    const board = new MemoryBoard({ shardTypes: ['t'] });
    await board.postMission({ id: 'm', shards: [{ key: 'a', type: 't', input: 1, maxAttempts: 2, backoff: { baseMs: 100, maxMs: 100 } }] }, T0);
    let calls = 0;
    const stop = new AbortController();
    const done = runWorker({ board, worker: 'w', type: 't', idleWaitMs: 50, scheduler, signal: stop.signal, handle: async () => {
      calls++;
      if (calls === 1) throw new TypeError('bad tool answer');
      return 'second time';
    } });
    await scheduler.advanceBy(200);
    stop.abort();
    await scheduler.advanceBy(100);
    expect(await done).toEqual({ completed: 1, failed: 1, refused: 0, storeErrors: 0 });
    expect(await board.shard('m/a')).toMatchObject({ status: 'done', runs: [{ status: 'failed', reason: 'TypeError: bad tool answer' }, { status: 'succeeded' }] });
  });

  it('rides out a store that is unavailable, then finishes the shard; any other error stops it', async () => {
    const scheduler = new VirtualScheduler(T0);
    const board = new MemoryBoard({ shardTypes: ['t'] });
    await board.postMission({ id: 'm', shards: [{ key: 'a', type: 't', input: 1 }] }, T0);
    let outages = 2;
    const flaky = withClaim(board, async (request) => {
      if (outages-- > 0) throw new DatabaseUnavailable('db:5432/app', 'connection refused');
      return board.claim(request);
    });
    const done = runWorker({ board: flaky, worker: 'w', type: 't', idleWaitMs: 10, scheduler, stopWhenIdle: true, handle: async () => 'ok' });
    await scheduler.advanceBy(50);
    expect(await done).toEqual({ completed: 1, failed: 0, refused: 0, storeErrors: 2 });

    const broken = withClaim(board, () => Promise.reject(new RangeError('a bug')));
    await expect(runWorker({ board: broken, worker: 'w', type: 't', scheduler, handle: async () => 1 })).rejects.toThrow('a bug');
  });

  it('refuses bad options before claiming anything', async () => {
    const board = new MemoryBoard({ shardTypes: ['t'] });
    await expect(runWorker({ board, worker: '', type: 't', handle: async () => 1 })).rejects.toThrow('Expected `worker`');
    await expect(runWorker({ board, worker: 'w', type: 't', ttlMs: Number.NaN, handle: async () => 1 })).rejects.toThrow('Expected `ttlMs`');
    expect(() => new MemoryBoard({ shardTypes: [] })).toThrow('Expected `shardTypes`');
  });
});
