// The mission-lifecycle benchmark (`pnpm bench` at the root, or
// `pnpm --filter @12-factor-agentops/mission-lifecycle bench`).
//   1. Records persisted per second by one owner (`store.append`: the fence check plus the write;
//      every transition and every step is one record), against the bare operation underneath in
//      the same run: a fdatasync'd append of a line of the same size (local store), a
//      single-row UPDATE (PGlite, and a throwaway real server). One client, awaited one by one.
//   2. Takeover after a kill: a worker process holding the mission is killed with SIGKILL; a
//      standby worker already polling every 200 ms (lease 2 s) takes over. Measured from the
//      kill to the standby's first step, for an owner on this host (its dead PID is seen) and
//      for an owner "on another host" (only the lease's expiry frees the mission).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurableAppender, openAppendTarget } from '@12-factor-agentops/core';
import { connect } from '@12-factor-agentops/sql';
import type { SqlClient } from '@12-factor-agentops/sql';
import { openTestPGlite, startPostgresServer } from '@12-factor-agentops/sql/testing';
import { LocalMissionStore, SqlMissionStore, resumeWhenFree, stepKey } from '../src/index.ts';
import type { MissionStore, OwnedRecord } from '../src/index.ts';

const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 1_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TAKEOVERS = Number(process.env.BENCH_TAKEOVERS ?? 3);
const LEASE_MS = 2_000;
const POLL_MS = 200;
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function perSecond(work: () => Promise<void>): Promise<number> {
  await work();
  let operations = 0;
  const started = performance.now();
  const deadline = started + RUN_MS;
  while (performance.now() < deadline) {
    await work();
    operations += 1;
  }
  return operations / ((performance.now() - started) / 1000);
}

/** Alternates the store's append and the bare operation RUNS times; returns both medians and their ratio. */
async function compare(label: string, bareLabel: string, store: MissionStore, bare: () => Promise<void>): Promise<void> {
  const id = `bench-${label.replace(/[^a-z]/gi, '')}-${Date.now()}`;
  await store.create(id, ['step'], Date.now());
  const own = await store.claim(id, { worker: 'bench', host: 'bench-host', pid: process.pid }, Date.now(), 3_600_000);
  const record: OwnedRecord = { kind: 'step-started', token: own.token, step: 'step', key: stepKey(id, 'step'), at: Date.now() };
  const appends: number[] = [];
  const bares: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    appends.push(await perSecond(async () => void (await store.append(own, record, Date.now()))));
    bares.push(await perSecond(bare));
  }
  const a = median(appends);
  const b = median(bares);
  console.log(`| ${label} | ${a.toFixed(0)} | ${bareLabel} | ${b.toFixed(0)} | ${(a / b).toFixed(2)} |`);
}

async function bareUpdate(db: SqlClient): Promise<() => Promise<void>> {
  await db.query('CREATE TABLE IF NOT EXISTS bench_row (id int PRIMARY KEY, n bigint NOT NULL)');
  await db.query('INSERT INTO bench_row VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
  return async () => void (await db.query('UPDATE bench_row SET n = n + 1 WHERE id = 1'));
}

/** Kill-to-first-step of a standby, in ms, median of TAKEOVERS runs. */
async function takeover(label: string, target: string, openStore: () => Promise<MissionStore>, otherHost: boolean): Promise<void> {
  const times: number[] = [];
  const store = await openStore();
  for (let run = 0; run < TAKEOVERS; run += 1) {
    const id = `takeover-${otherHost ? 'remote' : 'local'}-${run}-${Date.now()}`;
    await store.create(id, Array.from({ length: 20 }, (_, i) => `s${i + 1}`), Date.now());
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, target, id, otherHost ? 'another-host.example' : '-', '100', String(LEASE_MS)]);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('running s2') && resolve());
      child.once('exit', (code) => reject(new Error(`the worker exited with ${String(code)} before its second step`)));
    });
    let firstStep = 0;
    const standby = resumeWhenFree(id, {
      store: await openStore(),
      worker: { worker: 'standby', host: 'standby-host', pid: process.pid },
      pollIntervalMs: POLL_MS,
      ttlMs: LEASE_MS,
      steps: new Proxy({}, { get: () => async () => void (firstStep ||= performance.now()) }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the standby is polling
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await standby;
    times.push(firstStep - killedAt);
  }
  console.log(`| ${label} | ${otherHost ? 'lease expiry' : 'dead PID'} | ${median(times).toFixed(0)} | ${times.map((t) => t.toFixed(0)).join(', ')} |`);
}

const folder = await mkdtemp(join(tmpdir(), 'mission-bench-'));
const server = await startPostgresServer();
const pglite = await openTestPGlite();
const serverDb = await connect(server.url, { poolSize: 4 });
try {
  console.log(`Records persisted per second, one owner, ${RUN_MS} ms per run, median of ${RUNS} alternating runs\n`);
  console.log('| store | records/s | bare operation | bare/s | ratio |');
  console.log('|---|---|---|---|---|');
  const local = await LocalMissionStore.open(join(folder, 'local'));
  const appender = new DurableAppender(await openAppendTarget(join(folder, 'bare.jsonl')));
  const line = JSON.stringify({ kind: 'step-started', token: 1, step: 'step', key: 'bench-local/step', at: Date.now() });
  await compare('local (fdatasync per record)', "fdatasync'd append", local, async () => appender.appendLines([line]));
  await appender.close();
  await local.close();
  await compare('PGlite (in memory)', 'UPDATE one row', await SqlMissionStore.open(pglite), await bareUpdate(pglite));
  await compare('PostgreSQL server', 'UPDATE one row', await SqlMissionStore.open(serverDb), await bareUpdate(serverDb));

  console.log(`\nTakeover after SIGKILL: lease ${LEASE_MS} ms, standby polling every ${POLL_MS} ms, median of ${TAKEOVERS}\n`);
  console.log('| store | stale owner seen by | kill → first step, ms (median) | runs |');
  console.log('|---|---|---|---|');
  const localRoot = join(folder, 'takeover');
  await takeover('local', localRoot, () => LocalMissionStore.open(localRoot), false);
  await takeover('local', localRoot, () => LocalMissionStore.open(localRoot), true);
  const serverStore = async () => SqlMissionStore.open(serverDb);
  await takeover('PostgreSQL server', server.url, serverStore, false);
  await takeover('PostgreSQL server', server.url, serverStore, true);
} finally {
  await serverDb.close();
  await pglite.close();
  await server.stop();
  await rm(folder, { recursive: true, force: true });
}
