// Bad input to connect: each a typed error naming the cause, nothing created or written.
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DatabaseAuthFailed, DatabaseNotFound, DatabaseUnavailable, InvalidDatabaseUrl, connect } from '../src/index.ts';
import type { SqlClient } from '../src/index.ts';
import { createTestDatabase } from '../src/testing/index.ts';
import type { TestDatabase } from '../src/testing/index.ts';
import { useTempDir } from './support/temp.ts';

const tempDir = useTempDir();

describe('connect', () => {
  let database: TestDatabase;
  let admin: SqlClient;
  beforeAll(async () => {
    database = await createTestDatabase(inject('postgresUrl'));
    admin = await connect(database.url);
    await admin.query('CREATE TABLE audit (n int)');
  });
  afterAll(async () => {
    await admin.close();
    await database.drop();
  });

  it('picks a PostgreSQL server for postgres:// and names it without the password', async () => {
    const db = await connect(database.url);
    try {
      expect(db.kind).toBe('server');
      expect(db.target).toBe(`127.0.0.1:${new URL(database.url).port}/${database.name}`);
      expect(db.target).not.toContain(new URL(database.url).password);
    } finally {
      await db.close();
    }
  });

  it('refuses a URL that does not parse before anything is created', async () => {
    const cwd = await tempDir();
    const before = await readdir(cwd);
    await expect(connect('postgres://agent:secret@[::1/db')).rejects.toThrow(InvalidDatabaseUrl);
    await expect(connect('postgres://agent:secret@[::1/db')).rejects.not.toThrow(/secret/);
    await expect(connect('pglite://')).rejects.toThrow('it names no directory');
    await expect(connect('sqlite://x.db')).rejects.toThrow('the scheme "sqlite" is not supported');
    expect(await readdir(cwd)).toEqual(before);
  });

  it('refuses a wrong password with DatabaseAuthFailed naming user and server, not the password', async () => {
    const url = new URL(database.url);
    url.password = 'not-the-password';
    const error = await connect(url.toString()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseAuthFailed);
    expect(error).toMatchObject({ user: 'postgres', sqlState: '28P01' });
    expect((error as Error).message).toBe(
      `PostgreSQL at 127.0.0.1:${url.port}/${database.name} refused user "postgres" (SQLSTATE 28P01): wrong password, or no pg_hba.conf rule admits this user. ` +
        'Check the user and password in the database URL; retrying will not help.',
    );
    expect((error as Error).message).not.toContain('not-the-password');
    expect((await admin.query('SELECT count(*)::int AS n FROM audit')).rows).toEqual([{ n: 0 }]);
  });

  it('refuses a database that does not exist with DatabaseNotFound', async () => {
    const url = new URL(database.url);
    url.pathname = '/no_such_database';
    await expect(connect(url.toString())).rejects.toThrow(DatabaseNotFound);
    await expect(connect(url.toString())).rejects.toThrow(`has no database "no_such_database"`);
  });

  it('reports a server nobody listens on as DatabaseUnavailable, retryable', async () => {
    const url = new URL(database.url);
    url.port = '1';
    const error = await connect(url.toString(), { connectTimeoutMs: 2_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseUnavailable);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(/^PostgreSQL at 127\.0\.0\.1:1\/suite_[0-9a-f]+ is unavailable \(ECONNREFUSED: .*\); nothing was applied\./);
  });
});
