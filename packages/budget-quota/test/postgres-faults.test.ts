// Faults of a real PostgreSQL server under the quota store: a server killed mid-run and started
// again on the same data, a connection killed in the middle of a reserve or a commit, a
// statement timeout, and a pool with no connection to give. Each is a denial (or NotRecorded)
// from the enforcer, and none leaves anything half-written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@12-factor-agentops/sql';
import { createTestDatabase, startPostgresServer } from '@12-factor-agentops/sql/testing';
import type { PostgresServer } from '@12-factor-agentops/sql/testing';
import { BudgetEnforcer, ManualClock, PostgresQuotaStore } from '../src/index.ts';
import type { Denial, QuotaSpec, Reservation } from '../src/index.ts';
import { serverSchemaForSuite } from './support/stores.ts';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a PostgreSQL server killed mid-run and started again on the same data', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer({ maxConnections: 30 });
  }, 120_000);
  afterAll(() => server.stop());

  const LIMIT = 40;
  const quota: QuotaSpec = { scope: 'team/crash', limits: { tokens: LIMIT }, window: { type: 'fixed', durationMs: 86_400_000 }, leaseMs: 600_000 };

  it('grants nothing the limit would deny, denies every reserve while the server is down, and grants again after the restart', { timeout: 120_000 }, async () => {
    const database = await createTestDatabase(server.url);
    const store = await PostgresQuotaStore.open(database.url, { quotas: [quota], poolSize: 8, connectTimeoutMs: 1_000 });
    const budget = new BudgetEnforcer({ store, storeTimeoutMs: 3_000 });
    // Each grant is held from the moment its answer arrives to the moment its release is sent:
    // inside the time the database holds it, so these spans may never hold more than the limit together.
    const held: { readonly from: number; readonly to: number; readonly id: string }[] = [];
    const attempts: { readonly started: number; readonly ended: number; readonly answer: Reservation | Denial }[] = [];
    let stop = false;
    const reservers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const started = performance.now();
        const answer = await budget.reserve('team/crash', { tokens: 10 });
        const ended = performance.now();
        attempts.push({ started, ended, answer });
        if (!answer.granted) {
          await pause(5);
          continue;
        }
        await pause(2);
        const to = performance.now();
        held.push({ from: ended, to, id: answer.id });
        // A release the crash cut off is retried, as a caller should: its budget is held until one is recorded.
        for (let tries = 0; tries < 500 && !(await budget.release(answer)).recorded; tries++) await pause(20);
      }
    });

    await pause(600);
    const crashedAt = performance.now();
    await server.crash({ graceMs: 0 });
    const downFrom = performance.now();
    await pause(400);
    const downTo = performance.now();
    await server.restart();
    const restartedAt = performance.now();
    await pause(1_000);
    stop = true;
    await Promise.all(reservers);

    // Every reserve made while the server was down was a denial, saying the store could not answer.
    const duringOutage = attempts.filter((attempt) => attempt.started >= downFrom && attempt.ended <= downTo);
    expect(duringOutage.length).toBeGreaterThan(8);
    for (const { answer } of duringOutage) expect(answer).toMatchObject({ granted: false, reason: 'store-unavailable', used: null });
    // Grants before the crash and after the restart: the store worked on both sides of it.
    expect(attempts.some((attempt) => attempt.answer.granted && attempt.ended < crashedAt)).toBe(true);
    expect(attempts.some((attempt) => attempt.answer.granted && attempt.started > restartedAt)).toBe(true);
    // The limit bound: some reserves were over it, and at no moment did the grants held pass it.
    expect(attempts.some((attempt) => !attempt.answer.granted && attempt.answer.reason === 'over-limit')).toBe(true);
    const edges = held.flatMap((span) => [
      { at: span.from, tokens: 10 },
      { at: span.to, tokens: -10 },
    ]);
    let holding = 0;
    for (const edge of edges.sort((a, b) => a.at - b.at || a.tokens - b.tokens)) {
      holding += edge.tokens;
      expect(holding).toBeLessThanOrEqual(LIMIT);
    }

    // The database agrees. (It may hold a grant whose answer the crash lost: the client was
    // denied, and the lease holds its estimate until it ends.)
    const final = await store.usage('team/crash', Date.now());
    await store.close();
    expect(final.outstanding.tokens).toBeLessThanOrEqual(LIMIT);
    expect(final.committed.tokens).toBe(0);
  });
});

describe('faults of single calls on the shared server', () => {
  const schema = serverSchemaForSuite('quota_faults');
  const quota: QuotaSpec = { scope: 'team/faults', limits: { tokens: 1_000 }, window: { type: 'rolling', durationMs: 600_000 }, leaseMs: 60_000 };
  const NOW = 1_700_000_000_000;


  /** Everything the store keeps, to compare before and after a call that was cut off. */
  async function tables(): Promise<unknown[]> {
    const tablesNow = [];
    for (const table of ['budget_quota_scopes', 'budget_quota_reservations', 'budget_quota_buckets']) {
      tablesNow.push((await schema().admin.query(`SELECT * FROM ${table} ORDER BY 1, 2`)).rows);
    }
    return tablesNow;
  }

  /** The PID of the store's backend once it waits for a lock, found by the application name it connects with. */
  async function waitingBackend(application: string): Promise<number> {
    for (;;) {
      const { rows } = await schema().admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [application]);
      if (rows[0] !== undefined) return rows[0].pid;
      await pause(10);
    }
  }

  /** Runs `hold` in a transaction of its own on another connection, and keeps it open (its locks held) until `release()`. */
  async function holdLocks(hold: string, values: unknown[]): Promise<() => Promise<void>> {
    const blocker = await connect(schema().url, { poolSize: 1 });
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = (): void => undefined;
    const taken = new Promise<void>((resolve) => (locked = resolve));
    const transaction = blocker.transaction(async (tx) => {
      await tx.query(hold, values);
      locked();
      await released;
    });
    await taken;
    return async () => {
      release();
      await transaction;
      await blocker.close();
    };
  }

  it('leaves no half-written commit when its connection is killed mid-transaction (pg_terminate_backend), and a retry counts it once', async () => {
    const store = await PostgresQuotaStore.open(schema().url, { quotas: [quota], poolSize: 2, applicationName: 'quota-commit-killed' });
    const clock = new ManualClock(NOW);
    const budget = new BudgetEnforcer({ store, clock, storeTimeoutMs: 30_000 });
    try {
      const reservation = await budget.reserve('team/faults', { tokens: 300 });
      if (!reservation.granted) throw new Error(reservation.message);
      const before = await tables();
      // The commit settles the reservation's row, then waits for the usage bucket another
      // transaction holds: it is killed between its writes.
      const bucket = Math.floor(NOW / 10_000) * 10_000;
      const releaseBlocker = await holdLocks(
        "INSERT INTO budget_quota_buckets VALUES ('team/faults', $1, 0, 0, 0, 0, 0, 0)",
        [bucket],
      );
      const committing = budget.commit(reservation, { tokens: 250 });
      const backend = await waitingBackend('quota-commit-killed');
      // It has written the reservation's row already: that row is locked by its transaction.
      const rowLock = await schema().admin.query('SELECT id FROM budget_quota_reservations WHERE id = $1 FOR UPDATE NOWAIT', [reservation.id]).catch((error: unknown) => error);
      expect(rowLock).toMatchObject({ code: '55P03' });
      await schema().admin.query('SELECT pg_terminate_backend($1)', [backend]);
      const lost = await committing;
      await releaseBlocker();
      expect(lost).toMatchObject({ recorded: false, reason: 'store-unavailable' });
      expect(lost.recorded ? '' : lost.message).toMatch(/SQLSTATE 57P01: terminating connection due to administrator command/);
      // The blocker's bucket row (all zeros) is the only difference: the commit left nothing.
      const after = (await tables()) as unknown[][];
      expect([after[0], after[1]]).toEqual([before[0], before[1]]);
      expect(await store.usage('team/faults', NOW)).toMatchObject({ committed: { tokens: 0 }, outstanding: { tokens: 300 }, reservations: 1 });

      expect(await budget.commit(reservation, { tokens: 250 })).toMatchObject({ recorded: true, late: false, actual: { tokens: 250 } });
      expect(await budget.commit(reservation, { tokens: 250 })).toMatchObject({ recorded: true, late: false, actual: { tokens: 250 } });
      expect(await store.usage('team/faults', NOW)).toMatchObject({ committed: { tokens: 250 }, outstanding: { tokens: 0 }, reservations: 0 });
    } finally {
      await store.close();
    }
  });

  it('leaves no half-written reserve when its connection is killed while it expires old leases, and denies the call', async () => {
    const store = await PostgresQuotaStore.open(schema().url, { quotas: [{ ...quota, scope: 'team/sweep' }], poolSize: 2, applicationName: 'quota-reserve-killed' });
    const clock = new ManualClock(NOW);
    const budget = new BudgetEnforcer({ store, clock, storeTimeoutMs: 30_000 });
    try {
      const first = await budget.reserve('team/sweep', { tokens: 100 });
      const second = await budget.reserve('team/sweep', { tokens: 200 });
      if (!first.granted || !second.granted) throw new Error('the first reserves should be granted');
      // Both leases end; the next reserve expires them before it checks. Another transaction
      // holds the second lease's row, so the reserve waits half-way through expiring them.
      clock.advance(60_000);
      const before = await tables();
      const releaseBlocker = await holdLocks("SELECT * FROM budget_quota_reservations WHERE id = $1 FOR UPDATE", [second.id]);
      const reserving = budget.reserve('team/sweep', { tokens: 900 });
      await schema().admin.query('SELECT pg_terminate_backend($1)', [await waitingBackend('quota-reserve-killed')]);
      const denied = await reserving;
      await releaseBlocker();
      expect(denied).toMatchObject({ granted: false, reason: 'store-unavailable', used: null });
      expect(await tables()).toEqual(before);
      // The next reserve does the whole step: both leases expired, the new one held.
      expect(await budget.reserve('team/sweep', { tokens: 900 })).toMatchObject({ granted: true });
      expect(await store.usage('team/sweep', clock.now())).toMatchObject({ outstanding: { tokens: 900 }, reservations: 1 });
    } finally {
      await store.close();
    }
  });

  it('denies a reserve that hits the statement timeout, and holds nothing for it', async () => {
    const timed = new URL(schema().url);
    timed.searchParams.set('options', `${timed.searchParams.get('options') ?? ''} -c statement_timeout=200`);
    const store = await PostgresQuotaStore.open(timed.toString(), { quotas: [{ ...quota, scope: 'team/slow' }], poolSize: 2 });
    const budget = new BudgetEnforcer({ store, clock: new ManualClock(NOW), storeTimeoutMs: 30_000 });
    try {
      const releaseBlocker = await holdLocks("SELECT * FROM budget_quota_scopes WHERE scope = 'team/slow' FOR UPDATE", []);
      const denied = await budget.reserve('team/slow', { tokens: 10 });
      await releaseBlocker();
      expect(denied).toMatchObject({ granted: false, reason: 'store-unavailable', used: null });
      expect(denied.granted ? '' : denied.message).toContain('canceling statement due to statement timeout');
      expect(await store.usage('team/slow', NOW)).toMatchObject({ outstanding: { tokens: 0 }, reservations: 0 });
    } finally {
      await store.close();
    }
  });

  it('denies a reserve when the pool cannot give it a connection in time', async () => {
    const store = await PostgresQuotaStore.open(schema().url, { quotas: [{ ...quota, scope: 'team/busy' }], poolSize: 1, connectTimeoutMs: 200 });
    const budget = new BudgetEnforcer({ store, clock: new ManualClock(NOW), storeTimeoutMs: 30_000 });
    try {
      // The pool's one connection waits on a lock another transaction holds.
      const releaseBlocker = await holdLocks("SELECT * FROM budget_quota_scopes WHERE scope = 'team/busy' FOR UPDATE", []);
      const waiting = budget.reserve('team/busy', { tokens: 10 });
      const denied = await budget.reserve('team/busy', { tokens: 20 });
      await releaseBlocker();
      expect(denied).toMatchObject({ granted: false, reason: 'store-unavailable', used: null });
      expect(denied.granted ? '' : denied.message).toContain('timeout exceeded when trying to connect');
      expect(await waiting).toMatchObject({ granted: true });
      expect(await store.usage('team/busy', NOW)).toMatchObject({ outstanding: { tokens: 10 }, reservations: 1 });
    } finally {
      await store.close();
    }
  });

  it('denies a reserve whose connection is dropped while it waits, and works again on a new connection', async () => {
    const store = await PostgresQuotaStore.open(schema().url, { quotas: [{ ...quota, scope: 'team/dropped' }], poolSize: 2, applicationName: 'quota-dropped' });
    const budget = new BudgetEnforcer({ store, clock: new ManualClock(NOW), storeTimeoutMs: 30_000 });
    try {
      const releaseBlocker = await holdLocks("SELECT * FROM budget_quota_scopes WHERE scope = 'team/dropped' FOR UPDATE", []);
      const reserving = budget.reserve('team/dropped', { tokens: 10 });
      await schema().admin.query('SELECT pg_terminate_backend($1)', [await waitingBackend('quota-dropped')]);
      const denied = await reserving;
      await releaseBlocker();
      expect(denied).toMatchObject({ granted: false, reason: 'store-unavailable' });
      expect(await budget.reserve('team/dropped', { tokens: 10 })).toMatchObject({ granted: true });
      expect(await store.usage('team/dropped', NOW)).toMatchObject({ outstanding: { tokens: 10 }, reservations: 1 });
    } finally {
      await store.close();
    }
  });
});
