// A separate OS process that appends to one shared trail: `append-worker.ts <url> <logId> <name>
// <appends> <inFlight>`. It prints `ready`, waits for a line on stdin, runs `appends` appends
// with `inFlight` of them in flight at once, and prints a JSON summary of what was acknowledged.
import { createInterface } from 'node:readline';
import { connect } from '@12-factor-agentops/sql';
import { PostgresAuditStore, SharedAuditTrail } from '../../src/index.ts';

const [url, logId, name, appendsText, inFlightText] = process.argv.slice(2) as [string, string, string, string, string];
const appends = Number(appendsText);
const inFlight = Number(inFlightText);

const db = await connect(url, { poolSize: 2 });
const trail = await SharedAuditTrail.open({ store: await PostgresAuditStore.open(db, { logId, applySchema: false }) });
console.log('ready');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));

const acknowledged: [number, string][] = [];
let next = 0;
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < appends) {
      const i = next++;
      const entry = await trail.recordIntent({ tool: 'read_file', args: { path: `docs/page-${i}.md` }, actor: name, callId: `${name}-${i}` });
      acknowledged.push([entry.index, entry.hash]);
    }
  }),
);
await trail.close();
await db.close();
console.log(JSON.stringify({ acknowledged }));
