// Faults on a real server: a connection killed mid-transaction, a crashed and restarted
// server, a real serialization failure and a real deadlock.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DatabaseUnavailable, RetriesExhausted, connect, sqlState } from '../src/index.ts';
import type { SqlClient } from '../src/index.ts';
import { createTestDatabase, startPostgresServer } from '../src/testing/index.ts';
import type { PostgresServer, TestDatabase } from '../src/testing/index.ts';

/** A promise and the function that resolves it: a barrier between two transactions. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('on a shared server', () => {
  let database: TestDatabase;
  let db: SqlClient;
  let other: SqlClient;
  beforeAll(async () => {
    database = await createTestDatabase(inject('postgresUrl'));
    db = await connect(database.url, { poolSize: 4 });
    other = await connect(database.url, { poolSize: 2 });
  });
  afterAll(async () => {
    await db.close();
    await other.close();
    await database.drop();
  });

  it('rolls a transaction back as a whole when its connection is killed mid-way (pg_terminate_backend)', async () => {
    await db.query('CREATE TABLE transfers (id int PRIMARY KEY)');
    const error = await db
      .transaction(
        async (tx) => {
          await tx.query('INSERT INTO transfers VALUES (1)');
          const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
          await other.query('SELECT pg_terminate_backend($1)', [pid]);
          await tx.query('INSERT INTO transfers VALUES (2)');
        },
        { attempts: 1 },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseUnavailable);
    // The server sends FATAL 57P01 and closes. If the client writes the next INSERT before it
    // has read that message (a busy machine), the closed socket answers with a reset, and the
    // kernel may drop the unread FATAL: the reason is then the reset itself.
    expect((error as Error).message).toMatch(
      /is unavailable \((SQLSTATE 57P01: terminating connection due to administrator command|ECONNRESET: read ECONNRESET|Connection terminated unexpectedly)\); nothing was applied/,
    );
    expect((await db.query('SELECT count(*)::int AS n FROM transfers')).rows).toEqual([{ n: 0 }]);
    // The broken connection was thrown away: the client goes on working.
    await db.transaction((tx) => tx.query('INSERT INTO transfers VALUES (3)'));
    expect((await db.query('SELECT id FROM transfers')).rows).toEqual([{ id: 3 }]);
  });

  it('reports a session the server ended for idling in a transaction (25P03) as DatabaseUnavailable, with nothing applied', async () => {
    await db.query('CREATE TABLE idle_writes (id int PRIMARY KEY)');
    const error = await db
      .transaction(
        async (tx) => {
          await tx.query("SET LOCAL idle_in_transaction_session_timeout = '100ms'");
          await tx.query('INSERT INTO idle_writes VALUES (1)');
          // A worker paused here (GC, SIGSTOP) past the timeout: the server ends its session.
          await new Promise((resolve) => setTimeout(resolve, 600));
          await tx.query('INSERT INTO idle_writes VALUES (2)');
        },
        { attempts: 1 },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseUnavailable);
    expect((error as DatabaseUnavailable).retryable).toBe(true);
    // pg reports the server's FATAL 25P03 when it reads it, or the closed socket when that comes first.
    expect((error as Error).message).toMatch(/SQLSTATE 25P03|Connection terminated/);
    expect((await db.query('SELECT count(*)::int AS n FROM idle_writes')).rows).toEqual([{ n: 0 }]);
    await db.transaction((tx) => tx.query('INSERT INTO idle_writes VALUES (3)'));
    expect((await db.query('SELECT id FROM idle_writes')).rows).toEqual([{ id: 3 }]);
  });

  /**
   * A real serialization failure: a repeatable-read transaction reads row 1 of `table`, another
   * connection updates and commits it, then the first tries to update it too (40001). Only the
   * first attempt waits for the other connection; a retry runs straight through.
   */
  async function contendedIncrement(table: string, attemptsAllowed: number): Promise<{ readonly attempts: number; readonly outcome: unknown }> {
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, n int NOT NULL)`);
    await db.query(`INSERT INTO ${table} VALUES (1, 0)`);
    const readDone = gate();
    const otherCommitted = gate();
    let attempts = 0;
    const running = db
      .transaction(
        async (tx) => {
          attempts++;
          await tx.query(`SELECT n FROM ${table} WHERE id = 1`);
          if (attempts === 1) {
            readDone.open();
            await otherCommitted.opened;
          }
          await tx.query(`UPDATE ${table} SET n = n + 10 WHERE id = 1`);
        },
        { isolation: 'repeatable read', attempts: attemptsAllowed },
      )
      .then(
        () => 'committed',
        (error: unknown) => error,
      );
    await readDone.opened;
    await other.query(`UPDATE ${table} SET n = n + 1 WHERE id = 1`);
    otherCommitted.open();
    return { outcome: await running, attempts };
  }

  it('runs a transaction again after a real serialization failure (40001) and applies it once', async () => {
    expect(await contendedIncrement('balance', 5)).toEqual({ outcome: 'committed', attempts: 2 });
    expect((await db.query('SELECT n FROM balance')).rows).toEqual([{ n: 11 }]);
  });

  it('gives up on a serialization failure with RetriesExhausted when no attempt is left', async () => {
    const { outcome, attempts } = await contendedIncrement('stock', 1);
    expect(attempts).toBe(1);
    expect(outcome).toBeInstanceOf(RetriesExhausted);
    expect(outcome).toMatchObject({ attempts: 1, sqlState: '40001' });
    expect((await db.query('SELECT n FROM stock')).rows).toEqual([{ n: 1 }]);
  });

  it('resolves a real deadlock (40P01): the victim runs again and both transactions apply once', async () => {
    await db.query('CREATE TABLE accounts (id int PRIMARY KEY, n int NOT NULL)');
    await db.query('INSERT INTO accounts VALUES (1, 0), (2, 0)');
    const firstLocked = gate();
    const secondLocked = gate();
    const attempts = { a: 0, b: 0 };
    const retriedOn: (string | undefined)[] = [];
    // Crossed locks: a takes row 1 then 2, b takes row 2 then 1. The server picks a victim.
    const transfer = (name: 'a' | 'b', first: number, second: number, locked: ReturnType<typeof gate>, waitFor: ReturnType<typeof gate>) =>
      db.transaction(
        async (tx) => {
          attempts[name]++;
          await tx.query("SET LOCAL deadlock_timeout = '50ms'");
          await tx.query('UPDATE accounts SET n = n + 1 WHERE id = $1', [first]);
          if (attempts[name] === 1) {
            locked.open();
            await waitFor.opened;
          }
          await tx.query('UPDATE accounts SET n = n + 1 WHERE id = $1', [second]);
        },
        { onRetry: ({ error }) => retriedOn.push(sqlState(error)) },
      );
    await Promise.all([transfer('a', 1, 2, firstLocked, secondLocked), transfer('b', 2, 1, secondLocked, firstLocked)]);
    // At least one victim ran again, and every retry was for a deadlock. The number of deadlocks
    // is the server's to decide: on a loaded machine a run saw two (four attempts in all). What
    // is fixed is that each transfer applied exactly once.
    expect(retriedOn.length).toBeGreaterThanOrEqual(1);
    expect(new Set(retriedOn)).toEqual(new Set(['40P01']));
    expect(attempts.a + attempts.b).toBe(2 + retriedOn.length);
    expect((await db.query('SELECT id, n FROM accounts ORDER BY id')).rows).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });
});

describe('a server that crashes', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer({ maxConnections: 20 });
  }, 120_000);
  afterAll(() => server.stop());

  it('is reported as DatabaseUnavailable while down (SIGQUIT, SIGKILL), and the client works again after a restart on the same data', { timeout: 120_000 }, async () => {
    const database = await createTestDatabase(server.url);
    const db = await connect(database.url, { poolSize: 2, connectTimeoutMs: 2_000 });
    try {
      await db.query('CREATE TABLE kept (n int)');
      await db.transaction((tx) => tx.query('INSERT INTO kept VALUES (1)'));
      const postmaster = server.pid;
      // SIGQUIT and, at once, SIGKILL: the postmaster may die before it could stop its backends.
      await server.crash({ graceMs: 0 });
      expect(() => process.kill(postmaster ?? 0, 0)).toThrow();

      const down = await db.query('SELECT n FROM kept').catch((caught: unknown) => caught);
      expect(down).toBeInstanceOf(DatabaseUnavailable);
      expect(down).toMatchObject({ retryable: true });
      const downInTransaction = await db.transaction((tx) => tx.query('INSERT INTO kept VALUES (2)')).catch((caught: unknown) => caught);
      expect(downInTransaction).toBeInstanceOf(DatabaseUnavailable);

      await server.restart();
      expect((await db.query('SELECT n FROM kept ORDER BY n')).rows).toEqual([{ n: 1 }]);
      await db.transaction((tx) => tx.query('INSERT INTO kept VALUES (3)'));
      expect((await db.query('SELECT n FROM kept ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 3 }]);
    } finally {
      await db.close();
    }
  });
});
