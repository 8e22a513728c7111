// The database itself refuses to change what the trail stored: a trigger on every backend, and
// on the server, an application role that was granted INSERT and SELECT only.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, sqlState } from '@12-factor-agentops/sql';
import { PostgresAuditStore, PostgresCheckpointStore, SharedAuditTrail, signCheckpoint, verifyChain } from '../src/index.ts';
import { PG_BACKENDS, freshLogId, openPgBackend, type PgBackend } from './support/postgres.ts';
import { signer, steppingClock } from './support.ts';

async function refusal(run: () => Promise<unknown>): Promise<Error> {
  const outcome = await run().then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('the statement was not refused');
  return outcome;
}

for (const kind of PG_BACKENDS) {
  describe(`the audit tables on ${kind}`, () => {
    let backend: PgBackend;
    beforeAll(async () => {
      backend = await openPgBackend(kind);
    });
    afterAll(() => backend.close());

    it('refuse UPDATE, DELETE and TRUNCATE issued directly in SQL, and the chain still verifies', async () => {
      const logId = freshLogId();
      const store = await PostgresAuditStore.open(backend.client, { logId });
      const checkpoints = await PostgresCheckpointStore.open(backend.client, { logId });
      const trail = await SharedAuditTrail.open({ store, clock: steppingClock() });
      for (let i = 0; i < 3; i++) await trail.recordIntent({ tool: 'read_file', args: { i }, actor: 'agent-1', callId: `call-${i}` });
      await checkpoints.save(signCheckpoint({ logId, size: 3, headHash: 'a1'.repeat(32), rootHash: 'b2'.repeat(32), at: '2026-01-05T09:00:00.000Z' }, signer));
      const { client } = backend;

      const update = await refusal(() => client.query("UPDATE audit_entries SET line = convert_to('{}', 'UTF8') WHERE log_id = $1 AND position = 1", [logId]));
      expect(update.message).toBe('audit_entries is append-only: UPDATE is refused');
      expect(sqlState(update)).toBe('P0001');
      const remove = await refusal(() => client.query('DELETE FROM audit_entries WHERE log_id = $1 AND position = 2', [logId]));
      expect(remove.message).toBe('audit_entries is append-only: DELETE is refused');
      const truncate = await refusal(() => client.query('TRUNCATE audit_entries'));
      expect(truncate.message).toBe('audit_entries is append-only: TRUNCATE is refused');
      const rewrite = await refusal(() => client.query("UPDATE audit_checkpoints SET line = convert_to('{}', 'UTF8') WHERE log_id = $1", [logId]));
      expect(rewrite.message).toBe('audit_checkpoints is append-only: UPDATE is refused');
      const drop = await refusal(() => client.query('DELETE FROM audit_checkpoints WHERE log_id = $1', [logId]));
      expect(drop.message).toBe('audit_checkpoints is append-only: DELETE is refused');

      expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 3 });
      expect(await checkpoints.readAll()).toHaveLength(1);
      await trail.close();
    });
  });
}

describe('an application role on the server granted what the README shows', () => {
  let backend: PgBackend;
  const role = `audit_appender_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  beforeAll(async () => {
    backend = await openPgBackend('PostgreSQL server');
    // The owner (here the test's superuser) creates the tables; the appender gets INSERT and SELECT on the entries and SELECT on the checkpoints.
    await PostgresAuditStore.open(backend.client, { logId: freshLogId() });
    await PostgresCheckpointStore.open(backend.client, { logId: freshLogId() });
    await backend.client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await backend.client.query(`REVOKE ALL ON audit_entries, audit_checkpoints FROM PUBLIC`);
    await backend.client.query(`GRANT SELECT, INSERT ON audit_entries TO ${role}`);
    await backend.client.query(`GRANT SELECT ON audit_checkpoints TO ${role}`);
  });
  afterAll(async () => {
    // The database holding the role's grants goes first; then the role can be dropped.
    await backend.close();
    const admin = await connect(inject('postgresUrl'), { poolSize: 1 });
    try {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.close();
    }
  });

  it('appends through the role, and the role cannot UPDATE, DELETE or write a checkpoint', async () => {
    const url = new URL(backend.url as string);
    url.username = role;
    url.password = password;
    const app = await connect(url.toString(), { poolSize: 2 });
    try {
      const logId = freshLogId();
      const store = await PostgresAuditStore.open(app, { logId, applySchema: false });
      const trail = await SharedAuditTrail.open({ store, clock: steppingClock() });
      await trail.recordIntent({ tool: 'deploy', args: { service: 'search' }, actor: 'agent-2', callId: 'call-1' });
      await trail.recordOutcome({ callId: 'call-1', status: 'succeeded', durationMs: 4 });

      const update = await refusal(() => app.query("UPDATE audit_entries SET line = convert_to('{}', 'UTF8') WHERE log_id = $1", [logId]));
      expect(sqlState(update)).toBe('42501');
      expect(update.message).toBe('permission denied for table audit_entries');
      const remove = await refusal(() => app.query('DELETE FROM audit_entries WHERE log_id = $1', [logId]));
      expect(sqlState(remove)).toBe('42501');
      const truncate = await refusal(() => app.query('TRUNCATE audit_entries'));
      expect(sqlState(truncate)).toBe('42501');
      const checkpoints = await PostgresCheckpointStore.open(app, { logId, applySchema: false });
      const forged = await refusal(() => checkpoints.save(signCheckpoint({ logId, size: 2, headHash: 'a1'.repeat(32), rootHash: 'b2'.repeat(32), at: '2026-01-05T09:00:00.000Z' }, signer)));
      expect(sqlState(forged)).toBe('42501');
      expect(forged.message).toBe('permission denied for table audit_checkpoints');

      expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 2, unfinishedCalls: [] });
      await trail.close();
    } finally {
      await app.close();
    }
  });
});
