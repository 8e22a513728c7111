// N+1 workers as real processes: four worker processes on one real PostgreSQL server, one of
// them SIGKILLed at seeded random points (and replaced), one paused with SIGSTOP past its lease
// and woken, and the coordinator restarted; 1,000 shards.
import { fileURLToPath } from 'node:url';
import { connect } from '@12-factor-agentops/sql';
import type { SqlClient } from '@12-factor-agentops/sql';
import { createTestDatabase, startScript } from '@12-factor-agentops/sql/testing';
import type { ScriptProcess, TestDatabase } from '@12-factor-agentops/sql/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryBoard, SqlBoard, coordinate, mergeMission, runWorker } from '../src/index.ts';
import { seededRandom } from '@12-factor-agentops/core';
import { digest, mergeDigests } from './support/work.ts';

const SHARDS = 1_000;
const TTL_MS = 1_500;
const SEED = 20_261_203;


const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('support/board-worker.ts', import.meta.url));
const shards = Array.from({ length: SHARDS }, (_, i) => ({ key: `s${String(i).padStart(4, '0')}`, type: 'digest', input: i, maxAttempts: 10, backoff: { baseMs: 10, maxMs: 100 } }));

describe('four worker processes on one real server', () => {
  let database: TestDatabase;
  let db: SqlClient;
  const children: ScriptProcess[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(inject('postgresUrl'));
    db = await connect(database.url);
  });
  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await db.close();
    await database.drop();
  });

  it('gives each of 1,000 shards exactly one accepted result through SIGKILLs and a SIGSTOP, and merges as one worker does', { timeout: 180_000 }, async () => {
    const board = await SqlBoard.open(db, { shardTypes: ['digest'] });
    await board.postMission({ id: 'digests', shards }, Date.now());
    const random = seededRandom(SEED);
    const start = (name: string): ScriptProcess => {
      const child = startScript(WORKER, [database.url, name, String(TTL_MS)], { cwd: PACKAGE });
      children.push(child);
      return child;
    };
    const done = async (): Promise<number> => Number((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM blackboard_shards WHERE status = 'done'")).rows[0]?.n);
    const waitUntilDone = async (count: number): Promise<void> => {
      while ((await done()) < count) await new Promise((resolve) => setTimeout(resolve, 25));
    };

    let workers = Array.from({ length: 4 }, (_, i) => start(`worker-${i}`));
    await Promise.all(workers.map((worker) => worker.ready));

    // Three SIGKILLs at seeded points of progress, each of a seeded worker, replaced at once.
    const killAt = [random(), random(), random()].map((r) => Math.floor(100 + r * 600)).sort((a, b) => a - b);
    const killed: string[] = [];
    for (const [n, threshold] of killAt.entries()) {
      await waitUntilDone(threshold);
      const index = Math.floor(random() * workers.length);
      const victim = workers[index] as ScriptProcess;
      victim.process.kill('SIGKILL');
      const exit = await victim.exited;
      expect(exit.signal).toBe('SIGKILL');
      killed.push(`worker-${index}@${threshold}`);
      const replacement = start(`replacement-${n}`);
      workers = workers.map((worker, i) => (i === index ? replacement : worker));
    }

    // One worker paused (SIGSTOP) past its lease, then woken: whatever it held was taken over,
    // and its late writes are refused.
    const paused = workers[Math.floor(random() * workers.length)] as ScriptProcess;
    paused.process.kill('SIGSTOP');
    const pausedAt = await done();
    await new Promise((resolve) => setTimeout(resolve, TTL_MS * 2));
    // The others go on while it is stopped, even if it stopped inside a transaction.
    await waitUntilDone(Math.min(SHARDS - 50, pausedAt + 20));
    paused.process.kill('SIGCONT');

    // The coordinator: one is started and stopped after 200 ms (as if killed); a fresh one, with
    // nothing but the board, finishes. On a fast machine the first may already have merged by
    // then: the second must then find that merge, not write another.
    const first = new AbortController();
    const stopped = coordinate(board, 'digests', 'coordinator-1', mergeDigests, { pollMs: 50, signal: first.signal }).then(
      (merged) => merged,
      (error: unknown) => {
        expect(error).toMatchObject({ name: 'SleepAborted' });
        return undefined;
      },
    );
    setTimeout(() => first.abort(), 200);
    const firstOutcome = await stopped;
    const outcome = await coordinate(board, 'digests', 'coordinator-2', mergeDigests, { pollMs: 50 });
    expect(outcome).toMatchObject({ mergedBy: firstOutcome === undefined ? 'coordinator-2' : 'coordinator-1' });

    for (const worker of workers) worker.process.stdin?.end('stop\n');
    const exits = await Promise.all(workers.map((worker) => worker.exited));
    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });
    const summaries = exits.map((exit) => JSON.parse(exit.stdout.trim().split('\n').at(-1) ?? '{}') as { completed: number; refused: number; storeErrors: number });

    // Exactly one accepted result per shard; every accepted result is the shard's digest.
    const perShard = await db.query<{ id: string; input: number; result: string; accepted: number }>(`
      SELECT s.id, s.input, s.result, (SELECT count(*)::int FROM blackboard_runs r WHERE r.shard_id = s.id AND r.status = 'succeeded') AS accepted
        FROM blackboard_shards s`);
    expect(perShard.rowCount).toBe(SHARDS);
    for (const row of perShard.rows) {
      expect(row.accepted, row.id).toBe(1);
      expect(row.result, row.id).toBe(digest(row.input));
    }
    expect((await db.query("SELECT count(*)::int AS n FROM blackboard_runs WHERE status = 'running'")).rows).toEqual([{ n: 0 }]);

    // The same mission run by one worker in memory merges to the same value.
    const single = new MemoryBoard({ shardTypes: ['digest'] });
    await single.postMission({ id: 'digests', shards }, Date.now());
    await runWorker({ board: single, worker: 'alone', type: 'digest', stopWhenIdle: true, handle: async (input) => digest(input) });
    const reference = await mergeMission(single, 'digests', 'reference', mergeDigests);
    expect(reference.status).toBe('merged');
    expect(outcome).toMatchObject({ status: 'merged', result: (reference as { result: unknown }).result });

    const expired = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM blackboard_runs WHERE status = 'expired'");
    console.log(
      `killed ${killed.join(', ')}; expired runs ${expired.rows[0]?.n}; refused late writes ${summaries.reduce((sum, s) => sum + s.refused, 0)}; ` +
        `store errors ${summaries.reduce((sum, s) => sum + s.storeErrors, 0)}; results by survivors ${summaries.map((s) => s.completed).join('/')}`,
    );
  });
});
