// Several OS processes claiming from one queue on a real server at the same time.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SqlLeases, connect } from '../src/index.ts';
import type { SqlClient } from '../src/index.ts';
import { createTestDatabase } from '../src/testing/index.ts';
import type { TestDatabase } from '../src/testing/index.ts';
import { startChild } from './support/child.ts';

describe('leases claimed by several processes on one server', () => {
  let database: TestDatabase;
  let db: SqlClient;
  beforeAll(async () => {
    database = await createTestDatabase(inject('postgresUrl'));
    db = await connect(database.url);
    const leases = await SqlLeases.open(db);
    await db.query('CREATE TABLE in_use (item text PRIMARY KEY, owner text NOT NULL, token bigint NOT NULL)');
    await db.query('CREATE TABLE claim_log (seq bigserial PRIMARY KEY, item text NOT NULL, owner text NOT NULL, token bigint NOT NULL)');
    for (let i = 0; i < 6; i++) await leases.offer({ queue: 'jobs', item: `job-${i}`, readyAt: 0 });
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it('never lets two owners hold one item at once, and each item\'s tokens only grow', { timeout: 120_000 }, async () => {
    const workers = Array.from({ length: 3 }, (_, i) => startChild('lease-worker.ts', [database.url, 'jobs', `worker-${i}`, '1000']));
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.process.stdin.end('go\n');
    const outcomes = await Promise.all(workers.map((worker) => worker.exited));
    for (const outcome of outcomes) expect(outcome, outcome.stderr).toMatchObject({ code: 0 });
    const summaries = outcomes.map((outcome) => JSON.parse(outcome.stdout.trim().split('\n').at(-1) ?? '{}') as { claims: number; overlaps: number });

    expect(summaries.map((summary) => summary.overlaps)).toEqual([0, 0, 0]);
    const claims = summaries.reduce((sum, summary) => sum + summary.claims, 0);
    expect(claims).toBeGreaterThan(20);
    expect(summaries.filter((summary) => summary.claims > 0)).toHaveLength(3);
    const log = await db.query<{ item: string; token: bigint }>('SELECT item, token FROM claim_log ORDER BY seq');
    expect(log.rowCount).toBe(claims);
    const last = new Map<string, bigint>();
    for (const row of log.rows) {
      expect(row.token).toBeGreaterThan(last.get(row.item) ?? 0n);
      last.set(row.item, row.token);
    }
    expect((await db.query('SELECT count(*)::int AS n FROM in_use')).rows).toEqual([{ n: 0 }]);
  });
});
