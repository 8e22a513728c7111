// event-activation's benchmark (`pnpm bench` at the root, or `pnpm --filter
// @12-factor-agentops/event-activation bench`). Loopback HTTP, 64 connections, 2 KiB bodies
// pre-signed with the Standard Webhooks scheme under unique ids, autocannon in its own
// process. Three servers, measured in alternating order, median of the runs:
//   - a bare node:http handler that reads the body and answers 204,
//   - the receiver with verification and the in-memory inbox,
//   - the receiver with the PGlite inbox (in memory).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { MemoryInbox, SqlInbox, startReceiver } from '../src/index.ts';

const CONNECTIONS = 64;
const RUN_SECONDS = Number(process.env.BENCH_RUN_SECONDS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_CONNECTION = Number(process.env.BENCH_PER_CONNECTION ?? 600);
const SECRET = `whsec_${Buffer.from('benchmark secret, never use it anywhere').toString('base64')}`;
const SOURCES = [{ name: 'billing', scheme: 'standard-webhooks', secrets: [SECRET] }] as const;
const ROUTES = { 'invoice.paid': 'ledger-agent' };

interface Figures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly statuses: Record<string, number>;
}
interface Server {
  readonly url: string;
  close(): Promise<void>;
}
type Setup = () => Promise<Server>;

async function bareServer(): Promise<Server> {
  const server = createServer((request, response) => {
    request.on('data', () => {});
    request.on('end', () => {
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const pglite = await SqlInbox.connect('pglite://memory');
const setups: Record<string, Setup> = {
  'bare node:http': bareServer,
  'receiver + memory inbox': () => startReceiver({ sources: SOURCES, routes: ROUTES, inbox: new MemoryInbox() }),
  'receiver + PGlite inbox': () => startReceiver({ sources: SOURCES, routes: ROUTES, inbox: pglite }),
};

function load(url: string, runId: string): Promise<Figures> {
  const plan = { url, secret: SECRET, runId, connections: CONNECTIONS, perConnection: PER_CONNECTION, durationSeconds: RUN_SECONDS, bodyBytes: 2_048 };
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('load.ts', import.meta.url)), JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the load generator exited with ${String(code)}`));
      resolve(JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Figures);
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const names = Object.keys(setups);
const results = new Map<string, Figures[]>(names.map((name) => [name, []]));
try {
  for (let run = 0; run < RUNS; run++) {
    // Alternate the order, so no server always runs first or last on a machine whose load drifts.
    const order = names.map((_, index) => names[(index + run) % names.length] as string);
    for (const name of order) {
      const server = await (setups[name] as Setup)();
      try {
        const figures = await load(server.url, `${run}_${name.replace(/[^a-z]/gi, '')}`);
        results.get(name)?.push(figures);
        console.log(`run ${run + 1}/${RUNS} ${name}: ${Math.round(figures.rps)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, statuses ${JSON.stringify(figures.statuses)}, errors ${figures.errors}`);
      } finally {
        await server.close();
      }
    }
  }
} finally {
  await pglite.close();
}

console.log(`\n${CONNECTIONS} connections, 2 KiB bodies, ${RUN_SECONDS} s per run, median of ${RUNS} runs:`);
console.log('| server | req/s | p50 ms | p99 ms |');
console.log('|---|---|---|---|');
const medians = new Map<string, number>();
for (const name of names) {
  const figures = results.get(name) ?? [];
  const rps = median(figures.map((figure) => figure.rps));
  medians.set(name, rps);
  console.log(`| ${name} | ${Math.round(rps).toLocaleString('en-US')} | ${median(figures.map((figure) => figure.p50))} | ${median(figures.map((figure) => figure.p99))} |`);
}
const ratio = (medians.get('receiver + memory inbox') ?? 0) / (medians.get('bare node:http') ?? 1);
console.log(`\nreceiver + memory inbox / bare handler: ${ratio.toFixed(2)} (goal ≥ 0.60)`);
