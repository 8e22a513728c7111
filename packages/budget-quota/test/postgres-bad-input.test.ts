// What PostgresQuotaStore.open refuses: each a typed error naming the cause, with nothing written.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirectoryInUse, DatabaseAuthFailed, InvalidDatabaseUrl, PGliteClient, SchemaTooNew } from '@12-factor-agentops/sql';
import { pgliteTemplate } from '@12-factor-agentops/sql/testing';
import { PostgresQuotaStore, ScopeWindowMismatch } from '../src/index.ts';
import type { QuotaSpec } from '../src/index.ts';
import { serverSchemaForSuite } from './support/stores.ts';

const quota: QuotaSpec = { scope: 'team/input', limits: { tokens: 1_000 }, currency: 'EUR', window: { type: 'fixed', durationMs: 3_600_000 }, leaseMs: 60_000 };
const NOW = 1_700_000_000_000;

describe('PostgresQuotaStore.open refuses', () => {
  const schema = serverSchemaForSuite('quota_input');

  async function storeTables(): Promise<string[]> {
    const { rows } = await schema().admin.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'quota_input' ORDER BY 1");
    return rows.map((row) => row.name);
  }

  it('a URL that does not parse, or names no database, with InvalidDatabaseUrl hiding the password', async () => {
    await expect(PostgresQuotaStore.open('postgres://agent:s3cret@db.example:5432', { quotas: [quota] })).rejects.toThrow(
      'Cannot use the database URL "postgres://agent:***@db.example:5432": it names no database (add /<database> after the host). ' +
        'Use postgres://user:password@host:port/database for a PostgreSQL server, pglite://<directory> for an embedded database kept in a directory, or pglite://memory.',
    );
    await expect(PostgresQuotaStore.open('postgres://agent:s3cret@db.example:port/quota', { quotas: [quota] })).rejects.toThrow(InvalidDatabaseUrl);
    await expect(PostgresQuotaStore.open('mysql://agent@db.example/quota', { quotas: [quota] })).rejects.toThrow('the scheme "mysql" is not supported');
    expect(await storeTables()).toEqual([]);
  });

  it('a password the server refuses, with DatabaseAuthFailed naming the user, and writes nothing', async () => {
    const wrong = new URL(schema().url);
    wrong.password = 'not-the-password';
    const refused = await PostgresQuotaStore.open(wrong.toString(), { quotas: [quota] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DatabaseAuthFailed);
    expect((refused as Error).message).toMatch(/^PostgreSQL at 127\.0\.0\.1:\d+\/suite_[0-9a-f]+ refused user "postgres" \(SQLSTATE 28P01\): wrong password/);
    expect((refused as Error).message).not.toContain('not-the-password');
    expect(await storeTables()).toEqual([]);
  });

  it('a database holding a newer version of its schema, with SchemaTooNew, and writes nothing', async () => {
    const store = await PostgresQuotaStore.open(schema().url, { quotas: [quota] });
    await store.reserve('team/input', { tokens: 100, costMinor: 0, toolCalls: 0 }, NOW);
    await store.close();
    await schema().admin.query("INSERT INTO agentops_schema_versions (store, version) VALUES ('budget_quota', 2)");
    const before = (await schema().admin.query('SELECT * FROM budget_quota_scopes')).rows;
    const newer = await PostgresQuotaStore.open(schema().url, { quotas: [quota, { ...quota, scope: 'team/added' }] }).catch((error: unknown) => error);
    expect(newer).toBeInstanceOf(SchemaTooNew);
    expect((newer as Error).message).toBe(
      'The database holds schema version 2 of store "budget_quota", but this code knows versions up to 1: a newer release wrote it. ' +
        'Run that release (or newer), or restore a backup taken before the upgrade. Nothing was changed.',
    );
    expect((await schema().admin.query('SELECT * FROM budget_quota_scopes')).rows).toEqual(before);
    await schema().admin.query("DELETE FROM agentops_schema_versions WHERE store = 'budget_quota' AND version = 2");
  });

  it('a scope the database counts in another window or currency, with ScopeWindowMismatch, and writes nothing', async () => {
    const store = await PostgresQuotaStore.open(schema().url, { quotas: [quota] });
    await store.close();
    const before = (await schema().admin.query('SELECT * FROM budget_quota_scopes ORDER BY scope')).rows;
    const rolling = { ...quota, window: { type: 'rolling' as const, durationMs: 3_600_000 } };
    await expect(PostgresQuotaStore.open(schema().url, { quotas: [{ ...quota, scope: 'team/first' }, rolling] })).rejects.toThrow(
      'The quota database counts scope "team/input" in a fixed window of 3600000 ms in EUR, but this process configures a rolling window of 3600000 ms in EUR. ' +
        'Configure the same window and currency in every process that shares the database, or give the new window its own scope. Nothing was written.',
    );
    await expect(PostgresQuotaStore.open(schema().url, { quotas: [{ ...quota, currency: 'USD' }] })).rejects.toThrow(ScopeWindowMismatch);
    const opened = await PostgresQuotaStore.open(schema().url, { quotas: [] });
    await expect(opened.updateQuota({ ...quota, window: { type: 'fixed', durationMs: 60_000 } })).rejects.toThrow(ScopeWindowMismatch);
    expect(opened.quota('team/input')).toBeUndefined();
    await opened.close();
    expect((await schema().admin.query('SELECT * FROM budget_quota_scopes ORDER BY scope')).rows).toEqual(before);
  });
});

describe('a PGlite directory another opener holds', () => {
  let directory: string;
  let holder: PGliteClient;
  let store: PostgresQuotaStore;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'budget-quota-pglite-'));
    holder = await PGliteClient.open({ directory: join(directory, 'db'), loadDataDir: await pgliteTemplate() });
    store = await PostgresQuotaStore.open(holder, { quotas: [quota] });
  });
  afterAll(async () => {
    await holder.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('is refused to a second opener with DataDirectoryInUse, and the holder’s state is untouched', async () => {
    const reservation = await store.reserve('team/input', { tokens: 300, costMinor: 0, toolCalls: 0 }, NOW);
    const before = await store.usage('team/input', NOW);
    const second = await PostgresQuotaStore.open(`pglite://${join(directory, 'db')}`, { quotas: [{ ...quota, limits: { tokens: 1 } }] }).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(DataDirectoryInUse);
    expect((second as Error).message).toContain(`${join(directory, 'db')} is already open (held by PID ${process.pid} on `);
    expect((second as Error).message).toContain('PGlite serves one process per data directory: a second process would lose writes silently.');
    expect(await store.usage('team/input', NOW)).toEqual(before);
    expect(reservation.granted && (await store.commit('team/input', reservation.id, { tokens: 300, costMinor: 0, toolCalls: 0 }, NOW))).toMatchObject({ recorded: true });
  });
});
