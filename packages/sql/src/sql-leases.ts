import type { QueryResult, Row, SqlClient, SqlExecutor } from './client.ts';
import { checkLease, checkName, checkTime, checkTtl, lossReason, rejection } from './lease.ts';
import type { ClaimRequest, Lease, LeaseOffer, LeaseRow, LeaseStore } from './lease.ts';
import { applySchema } from './schema.ts';
import type { StoreSchema } from './schema.ts';
import { sql } from './sql-template.ts';
import type { SqlFragment } from './sql-template.ts';

/** The schema of the lease store: one row per item, one sequence for every fencing token. */
export const LEASES_SCHEMA: StoreSchema = {
  store: 'leases',
  migrations: [
    {
      version: 1,
      statements: [
        'CREATE SEQUENCE agentops_lease_tokens AS bigint',
        `CREATE TABLE agentops_leases (
           queue text NOT NULL,
           item text NOT NULL,
           ready_at bigint NOT NULL,
           owner text,
           token bigint,
           expires_at bigint,
           PRIMARY KEY (queue, item),
           CHECK ((owner IS NULL) = (expires_at IS NULL)),
           CHECK (owner IS NULL OR token IS NOT NULL))`,
        'CREATE INDEX agentops_leases_oldest ON agentops_leases (queue, ready_at, item)',
      ],
    },
  ],
};

interface StoredRow extends Row {
  item: string;
  owner: string | null;
  token: bigint | null;
  expires_at: bigint | null;
}

/**
 * Leases with fencing tokens in PostgreSQL (server or PGlite). Claiming takes the oldest ready
 * item with `FOR UPDATE SKIP LOCKED`, so concurrent claimers never wait on each other and
 * never get the same item. Every claim draws a new token from one sequence. A store makes each
 * of its writes conditional on the lease with `fence(lease, now)` (or `fencedWrite`), so a
 * holder that lost its lease changes nothing.
 */
export class SqlLeases implements LeaseStore {
  readonly #db: SqlExecutor;

  private constructor(db: SqlExecutor) {
    this.#db = db;
  }

  /** Brings the lease schema up to date (idempotent) and returns the store. */
  static async open(client: SqlClient): Promise<SqlLeases> {
    await applySchema(client, LEASES_SCHEMA);
    return new SqlLeases(client);
  }

  /** The same store, sending its statements through `tx`: to claim or write inside a store's own transaction. */
  using(tx: SqlExecutor): SqlLeases {
    return new SqlLeases(tx);
  }

  async offer(offer: LeaseOffer): Promise<boolean> {
    const queue = checkName('queue', offer.queue);
    const item = checkName('item', offer.item);
    const readyAt = checkTime('readyAt', offer.readyAt);
    const result = await this.#db.query(
      sql`INSERT INTO agentops_leases (queue, item, ready_at) VALUES (${queue}, ${item}, ${readyAt}) ON CONFLICT (queue, item) DO NOTHING`,
    );
    return result.rowCount === 1;
  }

  async claim(request: ClaimRequest): Promise<Lease | undefined> {
    const queue = checkName('queue', request.queue);
    const owner = checkName('owner', request.owner);
    const now = checkTime('now', request.now);
    const ttlMs = checkTtl(request.ttlMs);
    // SKIP LOCKED: an item another claimer is taking right now is passed over, not waited for.
    // Under read committed the locked row is re-checked against the WHERE after any concurrent
    // commit, so an item claimed a moment ago is skipped and the next oldest taken instead.
    const result = await this.#db.query<StoredRow>(sql`
      WITH next AS (
        SELECT queue, item FROM agentops_leases
         WHERE queue = ${queue} AND ready_at <= ${now} AND (expires_at IS NULL OR expires_at <= ${now})
         ORDER BY ready_at, item
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
      UPDATE agentops_leases AS lease
         SET owner = ${owner}, token = nextval('agentops_lease_tokens'), expires_at = ${now + ttlMs}
        FROM next
       WHERE lease.queue = next.queue AND lease.item = next.item
      RETURNING lease.item, lease.owner, lease.token, lease.expires_at`);
    const row = result.rows[0];
    return row === undefined ? undefined : toLease(queue, row);
  }

  async renew(lease: Lease, at: { readonly now: number; readonly ttlMs: number }): Promise<Lease> {
    checkLease(lease);
    const now = checkTime('now', at.now);
    const ttlMs = checkTtl(at.ttlMs);
    const result = await this.#db.query<StoredRow>(sql`
      UPDATE agentops_leases SET expires_at = ${now + ttlMs}
       WHERE ${this.#holds(lease, now)}
      RETURNING item, owner, token, expires_at`);
    const row = result.rows[0];
    if (row === undefined) throw (await this.#check(lease, now)).error;
    return toLease(lease.queue, row);
  }

  async release(lease: Lease, at: { readonly now: number; readonly readyAt?: number }): Promise<boolean> {
    checkLease(lease);
    const now = checkTime('now', at.now);
    const readyAt = at.readyAt === undefined ? null : checkTime('readyAt', at.readyAt);
    const result = await this.#db.query(sql`
      UPDATE agentops_leases SET owner = NULL, expires_at = NULL, ready_at = coalesce(${readyAt}::bigint, ready_at)
       WHERE ${this.#holds(lease, now)}`);
    return result.rowCount === 1;
  }

  async complete(lease: Lease, at: { readonly now: number }): Promise<void> {
    checkLease(lease);
    const now = checkTime('now', at.now);
    const result = await this.#db.query(sql`DELETE FROM agentops_leases WHERE ${this.#holds(lease, now)}`);
    if (result.rowCount !== 1) throw (await this.#check(lease, now)).error;
  }

  async holder(queue: string, item: string, now: number): Promise<Lease | undefined> {
    checkName('queue', queue);
    checkName('item', item);
    checkTime('now', now);
    const result = await this.#db.query<StoredRow>(sql`
      SELECT item, owner, token, expires_at FROM agentops_leases
       WHERE queue = ${queue} AND item = ${item} AND expires_at > ${now}`);
    const row = result.rows[0];
    return row === undefined ? undefined : toLease(queue, row);
  }

  /**
   * The condition a store puts in the `WHERE` of each write made under `lease`: true only while
   * the lease holds its item at `now`. It takes a share lock on the lease row, so a claim that
   * would replace the lease waits until the write's transaction ends, and a write that comes
   * after such a claim sees the new token and changes nothing.
   *
   * ```ts
   * await tx.query(sql`UPDATE jobs SET result = ${result} WHERE id = ${id} AND ${leases.fence(lease, now)}`);
   * ```
   */
  fence(lease: Lease, now: number): SqlFragment {
    checkLease(lease);
    checkTime('now', now);
    return sql`EXISTS (SELECT 1 FROM agentops_leases WHERE ${this.#holds(lease, now)} FOR SHARE)`;
  }

  /**
   * Runs the write `build(fence)` returns and, when it changed no row, finds out why: if the
   * lease no longer holds its item, throws `FencingTokenRejected`; otherwise the store's own
   * condition matched nothing and the result (0 rows) is returned.
   */
  async fencedWrite<R extends Row = Row>(lease: Lease, now: number, build: (fence: SqlFragment) => SqlFragment): Promise<QueryResult<R>> {
    const result = await this.#db.query<R>(build(this.fence(lease, now)));
    if (result.rowCount > 0) return result;
    const check = await this.#check(lease, now);
    if (!check.held) throw check.error;
    return result;
  }

  #holds(lease: Lease, now: number): SqlFragment {
    return sql`queue = ${lease.queue} AND item = ${lease.item} AND token = ${lease.token} AND expires_at > ${now}`;
  }

  // Whether `lease` holds its item now, and the rejection to throw if it does not.
  async #check(lease: Lease, now: number): Promise<{ readonly held: boolean; readonly error: Error }> {
    const result = await this.#db.query<StoredRow>(sql`
      SELECT item, owner, token, expires_at FROM agentops_leases WHERE queue = ${lease.queue} AND item = ${lease.item}`);
    const stored = result.rows[0];
    const row: LeaseRow | undefined =
      stored === undefined ? undefined : { owner: stored.owner, token: toNumber(stored.token), expiresAt: toNumber(stored.expires_at) };
    const reason = lossReason(lease, row, now);
    return { held: reason === undefined, error: rejection(lease, reason ?? 'gone', row, now) };
  }
}

function toLease(queue: string, row: StoredRow): Lease {
  const token = toNumber(row.token);
  const expiresAt = toNumber(row.expires_at);
  if (row.owner === null || token === null || expiresAt === null) throw new Error(`lease row of item "${row.item}" is not held`);
  return { queue, item: row.item, owner: row.owner, token, expiresAt };
}

function toNumber(value: bigint | number | null): number | null {
  if (value === null) return null;
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`lease value ${String(value)} is past 2^53 - 1`);
  return number;
}
