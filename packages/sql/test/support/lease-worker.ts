// One worker process: claims items of a queue on a shared server until its time is up, marks
// each item "in use" under the lease (a primary key makes two holders at once an error), and
// gives it back. Prints `ready`, waits for `go` on stdin, and ends with a JSON summary.
import { setTimeout as sleep } from 'node:timers/promises';
import { SqlLeases, connect, sql, sqlState } from '../../src/index.ts';

const [url, queue, owner, runMs] = process.argv.slice(2) as [string, string, string, string];
const db = await connect(url, { poolSize: 2 });
const leases = await SqlLeases.open(db);
console.log('ready');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();

let claims = 0;
let overlaps = 0;
const deadline = Date.now() + Number(runMs);
while (Date.now() < deadline) {
  const lease = await leases.claim({ queue, owner, now: Date.now(), ttlMs: 10_000 });
  if (lease === undefined) {
    await sleep(1);
    continue;
  }
  claims++;
  try {
    await leases.fencedWrite(lease, Date.now(), (fence) =>
      sql`INSERT INTO in_use (item, owner, token) SELECT ${lease.item}, ${owner}, ${lease.token} WHERE ${fence}`,
    );
  } catch (error) {
    if (sqlState(error) !== '23505') throw error;
    overlaps++;
  }
  await leases.fencedWrite(lease, Date.now(), (fence) =>
    sql`INSERT INTO claim_log (item, owner, token) SELECT ${lease.item}, ${owner}, ${lease.token} WHERE ${fence}`,
  );
  await sleep(Math.random() < 0.5 ? 0 : 1);
  await leases.fencedWrite(lease, Date.now(), (fence) => sql`DELETE FROM in_use WHERE item = ${lease.item} AND owner = ${owner} AND ${fence}`);
  await leases.release(lease, { now: Date.now() });
}
await db.close();
console.log(JSON.stringify({ claims, overlaps }));
