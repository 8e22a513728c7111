// Shards claimed and completed per second with 1, 2, 4 and 8 workers, in memory and on a real
// PostgreSQL server this bench starts, next to the bare transactions a claim minimally writes,
// measured in the same run at the same concurrency. Prints medians; measures, never asserts.
import { connect } from '@12-factor-agentops/sql';
import type { SqlClient } from '@12-factor-agentops/sql';
import { startPostgresServer } from '@12-factor-agentops/sql/testing';
import { Conflict, FencingTokenRejected, MemoryBoard, SqlBoard } from '../src/index.ts';
import type { Blackboard } from '../src/index.ts';

const WORKERS = [1, 2, 4, 8] as const;
const RUNS = 3;
const MEMORY_MS = 500;
const SERVER_MS = 2_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

let missions = 0;

// N workers claim and complete shards as fast as they can for `ms`; no handler work.
async function shardLoop(board: Blackboard, workers: number, shards: number, ms: number): Promise<{ perSecond: number; conflictRate: number }> {
  const mission = `bench-${++missions}`;
  const now = Date.now();
  for (let from = 0; from < shards; from += 1_000) {
    const count = Math.min(1_000, shards - from);
    await board.postMission({ id: mission, shards: Array.from({ length: count }, (_, i) => ({ key: `s${from + i}`, type: 'work', input: from + i })) }, now);
  }
  let completed = 0;
  let conflicts = 0;
  let attempts = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < deadline) {
        attempts++;
        const claim = await board.claim({ worker: `w${w}`, type: 'work', now: Date.now(), ttlMs: 60_000 });
        if (claim === undefined) {
          conflicts++; // every shard was ready: a claim that finds nothing lost a race
          continue;
        }
        try {
          await board.complete(claim, claim.input, Date.now());
          completed++;
        } catch (error) {
          if (!(error instanceof FencingTokenRejected)) throw error;
          conflicts++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  if (completed >= shards) throw new Error(`ran out of shards (${shards}); raise the count`);
  return { perSecond: completed / seconds, conflictRate: conflicts / Math.max(1, attempts) };
}

// N writers read-modify-write one shared entry with compare-and-set: the share that conflicts.
async function casLoop(board: Blackboard, workers: number, ms: number): Promise<number> {
  const key = `counter-${++missions}`;
  await board.write(key, 0, { expectedVersion: 0 });
  let writes = 0;
  let conflicts = 0;
  const deadline = performance.now() + ms;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        const entry = await board.read(key);
        try {
          await board.write(key, ((entry?.value as number) ?? 0) + 1, { expectedVersion: entry?.version ?? 0 });
          writes++;
        } catch (error) {
          if (!(error instanceof Conflict)) throw error;
          conflicts++;
        }
      }
    }),
  );
  return conflicts / Math.max(1, writes + conflicts);
}

// The floor under a claim: one transaction with one conditional UPDATE on the worker's own rows
// and one INSERT, N at a time, counting only those that changed a row.
async function bareLoop(db: SqlClient, workers: number, ms: number): Promise<number> {
  await db.query('DROP TABLE IF EXISTS bare_rows, bare_log');
  await db.query('CREATE TABLE bare_rows (id int PRIMARY KEY, version bigint NOT NULL)');
  await db.query('CREATE TABLE bare_log (seq bigserial PRIMARY KEY, id int NOT NULL, at bigint NOT NULL)');
  const rowsPerWorker = 1_000;
  await db.query('INSERT INTO bare_rows SELECT g, 0 FROM generate_series(0, $1) AS g', [workers * rowsPerWorker]);
  let ok = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const versions = new Map<number, number>();
      let n = 0;
      while (performance.now() < deadline) {
        const id = w * rowsPerWorker + (n++ % rowsPerWorker);
        const version = versions.get(id) ?? 0;
        const changed = await db.transaction(async (tx) => {
          const updated = await tx.query('UPDATE bare_rows SET version = version + 1 WHERE id = $1 AND version = $2', [id, version]);
          if (updated.rowCount !== 1) return false;
          await tx.query('INSERT INTO bare_log (id, at) VALUES ($1, $2)', [id, Date.now()]);
          return true;
        });
        if (changed) {
          ok++;
          versions.set(id, version + 1);
        }
      }
    }),
  );
  return ok / ((performance.now() - started) / 1_000);
}

console.log(`blackboard bench: ${RUNS} runs per figure, medians; memory ${MEMORY_MS} ms and server ${SERVER_MS} ms per run\n`);

for (const workers of WORKERS) {
  const rates: number[] = [];
  const conflicts: number[] = [];
  const cas: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const board = new MemoryBoard({ shardTypes: ['work'] });
    const result = await shardLoop(board, workers, 250_000, MEMORY_MS);
    rates.push(result.perSecond);
    conflicts.push(result.conflictRate);
    cas.push(await casLoop(board, workers, 300));
  }
  console.log(`memory, ${workers} worker(s): ${fmt(median(rates))} shards claimed+completed/s; claim conflicts ${fmt(median(conflicts) * 100, 2)}%; CAS conflicts on one shared entry ${fmt(median(cas) * 100, 1)}%`);
}

const server = await startPostgresServer();
try {
  console.log(`\nserver: PostgreSQL on loopback, default synchronous_commit`);
  for (const workers of WORKERS) {
    const db = await connect(server.url, { poolSize: workers + 1 });
    const board = await SqlBoard.open(db, { shardTypes: ['work'] });
    const rates: number[] = [];
    const conflicts: number[] = [];
    const bares: number[] = [];
    const cas: number[] = [];
    // Alternate the two loads so both see the same machine.
    for (let run = 0; run < RUNS; run++) {
      const result = await shardLoop(board, workers, 6_000, SERVER_MS);
      rates.push(result.perSecond);
      conflicts.push(result.conflictRate);
      bares.push(await bareLoop(db, workers, SERVER_MS));
      cas.push(await casLoop(board, workers, 500));
    }
    await db.close();
    const rate = median(rates);
    const bare = median(bares);
    const goal = 0.4 * (bare / 2);
    console.log(
      `server, ${workers} worker(s): ${fmt(rate)} shards claimed+completed/s; bare UPDATE+INSERT transactions ${fmt(bare)}/s; ` +
        `shards per (bare/2) ${fmt(rate / (bare / 2), 2)} (goal 0.40: ${rate >= goal ? 'met' : 'missed'}); claim conflicts ${fmt(median(conflicts) * 100, 2)}%; ` +
        `CAS conflicts on one shared entry ${fmt(median(cas) * 100, 1)}%`,
    );
  }
} finally {
  await server.stop();
}
