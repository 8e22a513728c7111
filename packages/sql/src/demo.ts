// The sql package's story in the terminal: one client for an embedded database and a server,
// a versioned schema, and a lease whose stale holder cannot write. Uses DATABASE_URL when it
// is set, else PGlite in memory, so it runs with nothing installed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@12-factor-agentops/core';
import { DataDirectoryInUse, FencingTokenRejected, SchemaTooNew, SqlLeases, applySchema, connect, sql } from './index.ts';

const step = (text: string): void => console.log(`\n▸ ${text}`);

step(`connect(${process.env.DATABASE_URL === undefined ? "'pglite://memory'" : 'DATABASE_URL'})`);
const db = await connect(process.env.DATABASE_URL ?? 'pglite://memory');
console.log(`  ${db.kind}: ${db.target}`);

try {
  step('SqlLeases.open: the lease schema, applied once in a transaction and recorded as a version');
  const leases = await SqlLeases.open(db);
  const versions = await db.query<{ store: string; version: number }>('SELECT store, version FROM agentops_schema_versions ORDER BY store, version');
  console.log(`  applied: ${versions.rows.map((row) => `${row.store} v${row.version}`).join(', ')}`);

  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9, 0, 0));
  const queue = `demo-${Date.now()}`;
  await db.query('CREATE TABLE IF NOT EXISTS demo_results (item text PRIMARY KEY, result text NOT NULL, token bigint NOT NULL)');
  for (const item of ['invoice-1', 'invoice-2']) await leases.offer({ queue, item, readyAt: clock.now() });

  step('worker A claims the oldest ready item for 30 s');
  const a = await leases.claim({ queue, owner: 'worker-a', now: clock.now(), ttlMs: 30_000 });
  if (a === undefined) throw new Error('nothing to claim');
  console.log(`  ${a.item} → ${a.owner}, fencing token ${a.token}, until ${new Date(a.expiresAt).toISOString()}`);

  step('worker A stalls (a long GC pause, a lost network) and its lease runs out');
  clock.advance(31_000);
  const b = await leases.claim({ queue, owner: 'worker-b', now: clock.now(), ttlMs: 30_000 });
  if (b === undefined) throw new Error('nothing to claim');
  console.log(`  ${b.item} → ${b.owner}, fencing token ${b.token} (larger than ${a.token})`);
  await leases.fencedWrite(b, clock.now(), (fence) =>
    sql`INSERT INTO demo_results (item, result, token) SELECT ${b.item}, 'paid by worker B', ${b.token} WHERE ${fence}`,
  );
  console.log('  worker B writes its result under its lease: 1 row');

  step('worker A wakes up and writes its stale result');
  try {
    await leases.fencedWrite(a, clock.now(), (fence) =>
      sql`UPDATE demo_results SET result = 'paid by worker A', token = ${a.token} WHERE item = ${a.item} AND ${fence}`,
    );
  } catch (error) {
    if (!(error instanceof FencingTokenRejected)) throw error;
    console.log(`  refused: ${error.message}`);
  }
  const stored = await db.query<{ result: string }>('SELECT result FROM demo_results WHERE item = $1', [a.item]);
  console.log(`  ${a.item} says: "${stored.rows[0]?.result ?? ''}"`);

  step('an older release meets a schema a newer release wrote (version 2; it knows 1)');
  await db.query("INSERT INTO agentops_schema_versions (store, version) VALUES ('demo_store', 1), ('demo_store', 2)");
  try {
    await applySchema(db, { store: 'demo_store', migrations: [{ version: 1, statements: ['CREATE TABLE demo_store (id int)'] }] });
  } catch (error) {
    if (!(error instanceof SchemaTooNew)) throw error;
    console.log(`  refused: ${error.message}`);
  }
  await db.query("DELETE FROM agentops_schema_versions WHERE store = 'demo_store'");
} finally {
  await db.close();
}

step('a second opener of one PGlite data directory');
const folder = await mkdtemp(join(tmpdir(), 'agentops-sql-demo-'));
try {
  const first = await connect(`pglite://${join(folder, 'db')}`);
  try {
    await connect(`pglite://${join(folder, 'db')}`);
  } catch (error) {
    if (!(error instanceof DataDirectoryInUse)) throw error;
    console.log(`  refused: ${error.message}`);
  } finally {
    await first.close();
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
