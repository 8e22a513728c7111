// The PostgreSQL benchmark of the shared trail (`pnpm bench` runs it after bench/run.ts).
// On a throwaway server started here (default synchronous_commit: each commit waits for its WAL
// flush), with 4 client processes:
//   - acknowledged appends/s with 16 appends in flight per process (group commit: one
//     transaction per group, sequenced by the log's advisory lock), against a bare multi-row
//     INSERT of 16 rows per statement from 4 processes into a table without the chain;
//   - the same with 1 append in flight per process (one entry per transaction), against bare
//     single-row INSERTs;
// and on PGlite in this process, with the same two pairs. Each figure runs RUN_MS after one
// unmeasured round, RUNS times, alternating; medians are printed, and each ratio is the median
// of the ratios of runs measured side by side.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connect, type SqlClient } from '@12-factor-agentops/sql';
import { openTestPGlite, startPostgresServer } from '@12-factor-agentops/sql/testing';
import { PostgresAuditStore } from '../src/index.ts';
import { BARE_TABLE, runLoad } from './postgres-loads.ts';

const PROCESSES = 4;
const IN_FLIGHT = 16;
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function show(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

/** A client process that runs the commands it is sent, one at a time. */
class Worker {
  readonly #child: ChildProcessByStdio<Writable, Readable, null>;
  readonly #lines: string[] = [];
  #waiting: { readonly resolve: (line: string) => void; readonly reject: (error: Error) => void } | undefined;
  #exited = false;

  constructor(url: string, name: string) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./postgres-worker.ts', import.meta.url)), url, name], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buffered = '';
    this.#child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        const waiting = this.#waiting;
        this.#waiting = undefined;
        if (waiting === undefined) this.#lines.push(line);
        else waiting.resolve(line);
      }
    });
    this.#child.once('exit', (code) => {
      this.#exited = true;
      this.#waiting?.reject(new Error(`a benchmark worker exited with ${String(code)}`));
    });
  }

  next(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#exited) return Promise.reject(new Error('a benchmark worker has exited'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  async run(command: object): Promise<number> {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
    return (JSON.parse(await this.next()) as { acknowledged: number }).acknowledged;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.end('exit\n');
    await exited;
  }
}

type Figure = 'trail-16' | 'bare-16' | 'trail-1' | 'bare-1';
const LOADS: Readonly<Record<Figure, { readonly load: 'trail' | 'bare'; readonly inFlight: number }>> = {
  'trail-16': { load: 'trail', inFlight: IN_FLIGHT },
  'bare-16': { load: 'bare', inFlight: IN_FLIGHT },
  'trail-1': { load: 'trail', inFlight: 1 },
  'bare-1': { load: 'bare', inFlight: 1 },
};
const ORDER: readonly Figure[] = ['trail-16', 'bare-16', 'trail-1', 'bare-1'];

/** Runs every figure RUNS times (after one unmeasured round), alternating, and prints medians and ratios. */
async function measure(label: string, runOne: (figure: Figure, runMs: number) => Promise<number>): Promise<void> {
  for (const figure of ORDER) await runOne(figure, Math.min(RUN_MS, 500));
  const rates = new Map<Figure, number[]>(ORDER.map((figure) => [figure, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const figure of ORDER) rates.get(figure)?.push(((await runOne(figure, RUN_MS)) / RUN_MS) * 1000);
  }
  const of = (figure: Figure): number[] => rates.get(figure) ?? [];
  const ratio = (trail: Figure, bare: Figure): number => median(of(trail).map((value, i) => value / (of(bare)[i] ?? Number.NaN)));
  console.log(`${label} shared-trail appends/s, ${IN_FLIGHT} in flight per client: ${show(median(of('trail-16')))} (median of ${RUNS} runs)`);
  console.log(`${label} bare ${IN_FLIGHT}-row INSERT rows/s: ${show(median(of('bare-16')))} (median of ${RUNS} runs)`);
  console.log(`${label} shared-trail-vs-bare, ${IN_FLIGHT} per transaction: ${ratio('trail-16', 'bare-16').toFixed(2)} x (median of ${RUNS} runs; goal 0.3 x)`);
  console.log(`${label} shared-trail appends/s, one entry per transaction: ${show(median(of('trail-1')))} (median of ${RUNS} runs)`);
  console.log(`${label} bare single-row INSERT rows/s: ${show(median(of('bare-1')))} (median of ${RUNS} runs)`);
  console.log(`${label} shared-trail-vs-bare, one per transaction: ${ratio('trail-1', 'bare-1').toFixed(2)} x (median of ${RUNS} runs)`);
}

const server = await startPostgresServer();
try {
  const db = await connect(server.url, { poolSize: 2 });
  await PostgresAuditStore.open(db, { logId: 'bench.example/setup' });
  await db.query(BARE_TABLE);
  await db.close();
  const workers = Array.from({ length: PROCESSES }, (_, i) => new Worker(server.url, `host-${i}`));
  await Promise.all(workers.map((worker) => worker.next()));
  try {
    // Each run appends to a log of its own, so every run starts from the same empty head.
    await measure(`server, ${PROCESSES} processes:`, async (figure, runMs) => {
      const logId = `bench.example/${randomUUID()}`;
      const counts = await Promise.all(workers.map((worker) => worker.run({ ...LOADS[figure], runMs, logId })));
      return counts.reduce((sum, count) => sum + count, 0);
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
} finally {
  await server.stop();
}

// PGlite serves one process: its 4 clients are 4 loads on its one connection, each on a log of its own.
const pglite: SqlClient = await openTestPGlite();
try {
  await PostgresAuditStore.open(pglite, { logId: 'bench.example/setup' });
  await pglite.query(BARE_TABLE);
  await measure(`PGlite, ${PROCESSES} clients in one process:`, async (figure, runMs) => {
    const counts = await Promise.all(Array.from({ length: PROCESSES }, (_, client) =>
      runLoad(pglite, { ...LOADS[figure], runMs, logId: `bench.example/${randomUUID()}` }, `client-${client}`)));
    return counts.reduce((sum, count) => sum + count, 0);
  });
} finally {
  await pglite.close();
}
