// The sql package's benchmark (`pnpm bench` at the root, or `pnpm --filter @12-factor-agentops/sql bench`).
// On a throwaway PostgreSQL server started here and on PGlite in memory, with 16 clients each:
//   - a bare conditional single-row UPDATE … RETURNING on one hot row (updates/s),
//   - SELECT 1 (round trips/s),
//   - lease claim + release pairs/s over 10,000 ready items,
// each run for a fixed time after one unmeasured round, repeated, median reported, the lease
// figure also as a ratio of the two bare statements measured in the same run. Plus how long a PGlite takes to open
// fresh and from the test template.
import { SqlLeases, connect } from '../src/index.ts';
import type { SqlClient } from '../src/index.ts';
import { openTestPGlite, pgliteTemplate, startPostgresServer } from '../src/testing/index.ts';

const CLIENTS = 16;
const ITEMS = 10_000;
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

type Work = (db: SqlClient, worker: number) => Promise<void>;

/** Operations per second with CLIENTS loops calling `work` for RUN_MS. */
async function throughput(db: SqlClient, work: Work): Promise<number> {
  let operations = 0;
  const deadline = performance.now() + RUN_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, worker) => {
      while (performance.now() < deadline) {
        await work(db, worker);
        operations++;
      }
    }),
  );
  return operations / ((performance.now() - started) / 1000);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function measure(label: string, db: SqlClient): Promise<Record<string, number>> {
  await db.query('CREATE TABLE IF NOT EXISTS bench_hot (id int PRIMARY KEY, n bigint NOT NULL)');
  await db.query('INSERT INTO bench_hot VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
  const leases = await SqlLeases.open(db);
  await db.query(`INSERT INTO agentops_leases (queue, item, ready_at) SELECT 'bench', 'item-' || i, 0 FROM generate_series(1, ${ITEMS}) AS i ON CONFLICT DO NOTHING`);
  const cases: Record<string, Work> = {
    'hot-row UPDATE … RETURNING': async (client) => {
      await client.query('UPDATE bench_hot SET n = n + 1 WHERE id = 1 AND n >= 0 RETURNING n');
    },
    'SELECT 1': async (client) => {
      await client.query('SELECT 1');
    },
    'lease claim + release': async (_client, worker) => {
      const now = Date.now();
      const lease = await leases.claim({ queue: 'bench', owner: `worker-${worker}`, now, ttlMs: 30_000 });
      if (lease === undefined) throw new Error('no item left to claim: every item is held');
      await leases.release(lease, { now });
    },
  };
  // One unmeasured round first: PGlite's WebAssembly is compiled further while it runs, and the
  // server's caches fill, so the first seconds are slower than what follows.
  for (const work of Object.values(cases)) await throughput(db, work);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  // Alternate the cases within each run, so a noisy moment on the machine hits all of them.
  for (let run = 0; run < RUNS; run++) {
    for (const [name, work] of Object.entries(cases)) samples[name]?.push(await throughput(db, work));
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  console.log(`\n${label}: ${CLIENTS} clients, median of ${RUNS} runs of ${RUN_MS} ms`);
  for (const [name, values] of Object.entries(samples)) {
    console.log(`  ${name.padEnd(28)} ${Math.round(medians[name] ?? 0).toLocaleString('en-US').padStart(8)} /s   (runs: ${values.map((value) => Math.round(value)).join(', ')})`);
  }
  const lease = medians['lease claim + release'] ?? 0;
  console.log(`  claim+release pairs per hot-row UPDATE: ${(lease / (medians['hot-row UPDATE … RETURNING'] ?? 1)).toFixed(2)}; per SELECT 1: ${(lease / (medians['SELECT 1'] ?? 1)).toFixed(2)}`);
  return medians;
}

async function pgliteOpenTimes(): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  await pgliteTemplate();
  const fresh: number[] = [];
  const fromTemplate: number[] = [];
  for (let run = 0; run < 3; run++) {
    let started = performance.now();
    const db = new PGlite();
    await db.waitReady;
    fresh.push(performance.now() - started);
    await db.close();
    started = performance.now();
    const copy = await openTestPGlite();
    fromTemplate.push(performance.now() - started);
    await copy.close();
  }
  console.log(`\nPGlite open, median of 3: fresh (initdb) ${Math.round(median(fresh))} ms, from the test template ${Math.round(median(fromTemplate))} ms`);
}

const server = await startPostgresServer({ maxConnections: 50 });
try {
  console.log(server.version);
  const db = await connect(server.url, { poolSize: CLIENTS });
  try {
    await measure('PostgreSQL server over loopback', db);
  } finally {
    await db.close();
  }
} finally {
  await server.stop();
}
const embedded = await openTestPGlite();
try {
  await measure('PGlite in memory (one connection: the 16 clients take turns)', embedded);
} finally {
  await embedded.close();
}
await pgliteOpenTimes();
