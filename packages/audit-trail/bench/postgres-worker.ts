// One client process of the PostgreSQL benchmark: `postgres-worker.ts <url> <name>`. It prints
// `ready`, then runs each load it reads as a JSON line (see postgres-loads.ts) and prints how
// many appends or rows it had acknowledged when the load's time ran out.
import { createInterface } from 'node:readline';
import { connect } from '@12-factor-agentops/sql';
import { runLoad, type Load } from './postgres-loads.ts';

const [url, name] = process.argv.slice(2) as [string, string];
const db = await connect(url, { poolSize: 2 });
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'exit') break;
  console.log(JSON.stringify({ acknowledged: await runLoad(db, JSON.parse(line) as Load, name) }));
}
await db.close();
