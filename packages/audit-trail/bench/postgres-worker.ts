// One client process of the PostgreSQL benchmark: `postgres-worker.ts <url> <name>`. It prints
// `ready`, then runs each command line it reads (JSON: { load, inFlight, runMs, logId }) and
// prints how many appends or rows it had acknowledged when `runMs` ran out.
import { createInterface } from 'node:readline';
import { connect } from '@12-factor-agentops/sql';
import { PostgresAuditStore, SharedAuditTrail } from '../src/index.ts';
import { BARE_INSERT, benchIntent, benchLineHex } from './postgres-loads.ts';

const [url, name] = process.argv.slice(2) as [string, string];
const db = await connect(url, { poolSize: 2 });

interface Command {
  readonly load: 'trail' | 'bare';
  readonly inFlight: number;
  readonly runMs: number;
  readonly logId: string;
}

let calls = 0;
async function run({ load, inFlight, runMs, logId }: Command): Promise<number> {
  const deadline = performance.now() + runMs;
  let acknowledged = 0;
  if (load === 'bare') {
    // One client: each statement inserts `inFlight` rows, the batch the trail commits at once.
    const rows = Array.from({ length: inFlight }, () => benchLineHex);
    while (performance.now() < deadline) {
      await db.query(BARE_INSERT, [rows]);
      acknowledged += inFlight;
    }
    return acknowledged;
  }
  const trail = await SharedAuditTrail.open({ store: await PostgresAuditStore.open(db, { logId, applySchema: false }) });
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await trail.recordIntent(benchIntent(name, calls++));
        acknowledged++;
      }
    }),
  );
  await trail.close();
  return acknowledged;
}

console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'exit') break;
  console.log(JSON.stringify({ acknowledged: await run(JSON.parse(line) as Command) }));
}
await db.close();
