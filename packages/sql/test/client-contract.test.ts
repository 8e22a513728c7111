// The behaviour every store relies on, on both backends: the same SQL, the same answers.
import { InvalidOptionError } from '@12-factor-agentops/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseClosed, QueryOutsideTransaction, TransactionAborted, TransactionFinished, sql } from '../src/index.ts';
import type { SqlClient, SqlExecutor } from '../src/index.ts';
import { BACKENDS, openBackend, openOwnClient } from './support/backends.ts';
import type { Backend } from './support/backends.ts';

describe.each(BACKENDS)('SqlClient on %s', (kind) => {
  let backend: Backend;
  let db: SqlClient;
  let tables = 0;
  beforeAll(async () => {
    backend = await openBackend(kind);
    db = backend.client;
  });
  afterAll(() => backend.close());

  async function table(): Promise<string> {
    const name = `t${++tables}`;
    await db.query(`CREATE TABLE ${name} (id text PRIMARY KEY, n bigint NOT NULL)`);
    return name;
  }

  it('runs parameterised statements and returns int8 as an exact bigint', async () => {
    const result = await db.query<{ big: bigint; small: number; text: string }>('SELECT $1::int8 AS big, $2::int4 AS small, $3::text AS text', [
      9_007_199_254_740_993n,
      7,
      "it's",
    ]);
    expect(result.rows).toEqual([{ big: 9_007_199_254_740_993n, small: 7, text: "it's" }]);
    expect(result.rowCount).toBe(1);
  });

  it('reports the rows an UPDATE changed, and runs sql`…` fragments', async () => {
    const name = await table();
    await db.query(`INSERT INTO ${name} VALUES ('a', 1), ('b', 2), ('c', 3)`);
    const updated = await db.query(`UPDATE ${name} SET n = n + 1 WHERE n >= $1`, [2]);
    expect(updated.rowCount).toBe(2);
    const fragment = await db.query<{ id: string }>(sql`SELECT id FROM ${sql([`${name}`] as unknown as TemplateStringsArray)} WHERE n = ${4}`);
    expect(fragment.rows).toEqual([{ id: 'c' }]);
  });

  it('commits a transaction as a whole and returns what its function returned', async () => {
    const name = await table();
    const value = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${name} VALUES ('a', 1)`);
      await tx.query(`INSERT INTO ${name} VALUES ('b', 2)`);
      return 'committed';
    });
    expect(value).toBe('committed');
    expect((await db.query(`SELECT id FROM ${name} ORDER BY id`)).rows).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('rolls a transaction back as a whole when its function throws, and rethrows the error', async () => {
    const name = await table();
    const failure = new Error('work failed');
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${name} VALUES ('a', 1)`);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await db.query(`SELECT count(*)::int AS n FROM ${name}`)).rows).toEqual([{ n: 0 }]);
  });

  it('rolls back, and says so with TransactionAborted, when a failed statement was caught inside', async () => {
    const name = await table();
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${name} VALUES ('a', 1)`);
        await tx.query(`INSERT INTO ${name} VALUES ('a', 2)`).catch(() => undefined);
      }),
    ).rejects.toThrow(TransactionAborted);
    expect((await db.query(`SELECT count(*)::int AS n FROM ${name}`)).rows).toEqual([{ n: 0 }]);
  });

  it('refuses a statement sent through the client inside its own transaction function', async () => {
    const name = await table();
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${name} VALUES ('a', 1)`);
        await db.query(`INSERT INTO ${name} VALUES ('b', 1)`);
      }),
    ).rejects.toThrow(QueryOutsideTransaction);
    await expect(db.transaction(() => db.transaction(async () => 1))).rejects.toThrow('inside one of its own transaction functions');
    expect((await db.query(`SELECT count(*)::int AS n FROM ${name}`)).rows).toEqual([{ n: 0 }]);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    let kept: SqlExecutor | undefined;
    await db.transaction(async (tx) => {
      kept = tx;
    });
    await expect(kept?.query('SELECT 1')).rejects.toThrow(TransactionFinished);
  });

  it('runs a transaction at the isolation level asked for', async () => {
    const level = await db.transaction(async (tx) => (await tx.query<{ level: string }>('SELECT current_setting($1) AS level', ['transaction_isolation'])).rows[0]?.level, {
      isolation: 'serializable',
    });
    expect(level).toBe('serializable');
    await expect(db.transaction(async () => 1, { isolation: 'snapshot' as never })).rejects.toThrow(InvalidOptionError);
  });

  it('runs concurrent transactions without losing an increment', async () => {
    const name = await table();
    await db.query(`INSERT INTO ${name} VALUES ('counter', 0)`);
    await Promise.all(
      Array.from({ length: 20 }, () => db.transaction((tx) => tx.query(`UPDATE ${name} SET n = n + 1 WHERE id = 'counter'`))),
    );
    expect((await db.query(`SELECT n FROM ${name}`)).rows).toEqual([{ n: 20n }]);
  });

  it('refuses every call after close with DatabaseClosed', async () => {
    const own = await openOwnClient(kind);
    await own.client.close();
    await own.client.close();
    await expect(own.client.query('SELECT 1')).rejects.toThrow(DatabaseClosed);
    await expect(own.client.transaction(async () => 1)).rejects.toThrow(`The database client for ${own.client.target} is closed; connect again.`);
    await own.close();
  });
});
