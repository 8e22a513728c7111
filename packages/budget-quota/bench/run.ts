// Benchmarks of budget-quota: `pnpm --filter @12-factor-agentops/budget-quota bench`.
// Each figure is printed as `name: value unit (median of N runs)`. Measures, never asserts.
// The PostgreSQL part starts a throwaway server (as sql's bench does) and opens PGlite in
// memory, and on each runs 16 clients: a bare conditional UPDATE … RETURNING of one hot row,
// then reserve+commit pairs on one scope and on 64 scopes, alternating, after an unmeasured
// round; the pairs are also given as a ratio of half the bare updates measured in the same run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@12-factor-agentops/sql';
import type { SqlClient } from '@12-factor-agentops/sql';
import { openTestPGlite, startPostgresServer } from '@12-factor-agentops/sql/testing';
import { BudgetEnforcer, FileQuotaStore, MemoryQuotaStore, NaiveLimiter, PostgresQuotaStore } from '../src/index.ts';
import type { QuotaSpec } from '../src/index.ts';

const RUNS = 7;
const SCOPE = 'team/bench';
const roomy: QuotaSpec = {
  scope: SCOPE,
  limits: { tokens: Number.MAX_SAFE_INTEGER, costMinor: Number.MAX_SAFE_INTEGER, toolCalls: Number.MAX_SAFE_INTEGER },
  currency: 'EUR',
  window: { type: 'fixed', durationMs: 86_400_000 },
  leaseMs: 300_000,
};
const estimate = { tokens: 800, costMinor: 12, toolCalls: 1 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function report(name: string, values: number[], unit: string, digits = 0): void {
  console.log(`${name}: ${median(values).toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit} (median of ${values.length} runs)`);
}

async function memoryPairs(pairs: number): Promise<number> {
  const budget = new BudgetEnforcer({ store: new MemoryQuotaStore([roomy]) });
  const started = performance.now();
  for (let i = 0; i < pairs; i++) {
    const reservation = await budget.reserve(SCOPE, estimate);
    if (!reservation.granted) throw new Error(reservation.message);
    await budget.commit(reservation, estimate);
  }
  return pairs / ((performance.now() - started) / 1000);
}

async function memoryGuards(calls: number): Promise<number> {
  const budget = new BudgetEnforcer({ store: new MemoryQuotaStore([roomy]) });
  const done = { value: null, actual: estimate };
  const work = () => Promise.resolve(done);
  const started = performance.now();
  for (let i = 0; i < calls; i++) await budget.guard(SCOPE, estimate, work);
  return calls / ((performance.now() - started) / 1000);
}

async function durablePairs(seconds: number): Promise<number> {
  const directory = await mkdtemp(join(tmpdir(), 'budget-quota-bench-'));
  try {
    const store = await FileQuotaStore.open(join(directory, 'quota.journal'), { quotas: [roomy] });
    const budget = new BudgetEnforcer({ store });
    let pairs = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      const reservation = await budget.reserve(SCOPE, estimate);
      if (!reservation.granted) throw new Error(reservation.message);
      const receipt = await budget.commit(reservation, estimate);
      if (!receipt.recorded) throw new Error(receipt.message);
      pairs++;
    }
    const rate = pairs / ((performance.now() - started) / 1000);
    await store.close();
    return rate;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

// 1,000 callers start at once, each asking 1,000 tokens and using exactly that, against a
// 100,000-token limit: anything spent past the limit is the limiter's doing.
const CALLERS = 1000;
const LIMIT = 100_000;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function naiveOverspend(): Promise<number> {
  const naive = new NaiveLimiter(LIMIT);
  await Promise.all(
    Array.from({ length: CALLERS }, () =>
      naive.guard(1000, async () => {
        await nextTurn();
        return { value: null, actual: 1000 };
      }),
    ),
  );
  return Math.max(0, naive.spent - LIMIT);
}

async function enforcerOverspend(): Promise<number> {
  const store = new MemoryQuotaStore([{ ...roomy, limits: { tokens: LIMIT } }]);
  const budget = new BudgetEnforcer({ store });
  await Promise.all(
    Array.from({ length: CALLERS }, () =>
      budget.guard(SCOPE, { tokens: 1000 }, async () => {
        await nextTurn();
        return { value: null, actual: { tokens: 1000 } };
      }),
    ),
  );
  return Math.max(0, store.usage(SCOPE, Date.now()).committed.tokens - LIMIT);
}

async function repeat(runs: number, measure: () => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let run = 0; run < runs; run++) values.push(await measure());
  return values;
}

console.log(`budget-quota bench, Node ${process.versions.node}`);
await memoryPairs(200_000); // warm-up, not reported
report('reserve+commit pairs, memory store, sequential awaits', await repeat(RUNS, () => memoryPairs(1_000_000)), 'pairs/s');
report('guard calls (reserve, run, commit), memory store', await repeat(RUNS, () => memoryGuards(500_000)), 'calls/s');
report('reserve+commit pairs, durable file store (lock + fdatasync per append)', await repeat(5, () => durablePairs(1)), 'pairs/s');
report(`overspend, NaiveLimiter, ${CALLERS.toLocaleString('en-US')} concurrent reservers`, await repeat(RUNS, naiveOverspend), 'tokens');
report(`overspend, BudgetEnforcer, ${CALLERS.toLocaleString('en-US')} concurrent reservers`, await repeat(RUNS, enforcerOverspend), 'tokens');

const CLIENTS = 16;
const SCOPES = 64;
const SQL_RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SQL_RUN_MS = Number(process.env.BENCH_RUN_MS ?? 2_000);

/** Operations per second with CLIENTS loops calling `work` for SQL_RUN_MS. */
async function clientsThroughput(work: (client: number, round: number) => Promise<void>): Promise<number> {
  let operations = 0;
  const started = performance.now();
  const deadline = started + SQL_RUN_MS;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let round = 0; performance.now() < deadline; round++) {
        await work(client, round);
        operations++;
      }
    }),
  );
  return operations / ((performance.now() - started) / 1000);
}

async function sqlFigures(label: string, db: SqlClient, goal: string): Promise<void> {
  await db.query('CREATE TABLE IF NOT EXISTS bench_hot (id int PRIMARY KEY, n bigint NOT NULL)');
  await db.query('INSERT INTO bench_hot VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
  const scopes = Array.from({ length: SCOPES }, (_, index) => ({ ...roomy, scope: `team/bench-${index}` }));
  const store = await PostgresQuotaStore.open(db, { quotas: scopes });
  const budget = new BudgetEnforcer({ store, storeTimeoutMs: 60_000 });
  const pair = async (scope: string): Promise<void> => {
    const reservation = await budget.reserve(scope, estimate);
    if (!reservation.granted) throw new Error(reservation.message);
    const receipt = await budget.commit(reservation, estimate);
    if (!receipt.recorded) throw new Error(receipt.message);
  };
  const cases: Record<string, (client: number, round: number) => Promise<void>> = {
    'bare hot-row UPDATE … RETURNING': async () => {
      await db.query('UPDATE bench_hot SET n = n + 1 WHERE id = 1 AND n >= 0 RETURNING n');
    },
    'reserve+commit pairs, one scope': () => pair('team/bench-0'),
    [`reserve+commit pairs, ${SCOPES} scopes`]: (client, round) => pair(`team/bench-${(client + CLIENTS * round) % SCOPES}`),
  };
  for (const work of Object.values(cases)) await clientsThroughput(work); // warm-up, not reported
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let run = 0; run < SQL_RUNS; run++) {
    for (const [name, work] of Object.entries(cases)) samples[name]?.push(await clientsThroughput(work));
  }
  console.log(`\n${label}, ${CLIENTS} clients`);
  for (const [name, values] of Object.entries(samples)) report(`  ${name}`, values, '/s');
  const bare = median(samples['bare hot-row UPDATE … RETURNING'] ?? []);
  for (const name of Object.keys(cases).slice(1)) {
    const ratio = median(samples[name] ?? []) / (bare / 2);
    console.log(`  ${name} per (bare updates/s ÷ 2): ${ratio.toFixed(2)}${goal}`);
  }
}

const server = await startPostgresServer({ maxConnections: 50 });
try {
  const db = await connect(server.url, { poolSize: CLIENTS });
  try {
    await sqlFigures(`PostgresQuotaStore on a PostgreSQL server over loopback (${server.version})`, db, ' (goal ≥ 0.40)');
  } finally {
    await db.close();
  }
} finally {
  await server.stop();
}
const embedded = await openTestPGlite();
try {
  await sqlFigures('PostgresQuotaStore on PGlite in memory (one connection: the clients take turns)', embedded, '');
} finally {
  await embedded.close();
}
