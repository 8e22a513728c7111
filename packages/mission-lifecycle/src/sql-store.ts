// The mission store for many machines: PostgreSQL (a server by DATABASE_URL, or PGlite for one
// process). Ownership is a lease of the sql package (each mission is a queue of one item), and
// every journal write is one INSERT whose WHERE carries the lease's fence, so a write under a
// lost lease changes nothing, whatever the interleaving.
import { hostname } from 'node:os';
import { SqlLeases, applySchema, sql } from '@12-factor-agentops/sql';
import type { Lease, SqlClient, StoreSchema } from '@12-factor-agentops/sql';
import { MissionExists, MissionNotFound, MissionOwned } from './errors.ts';
import { parseRecord } from './journal.ts';
import type { MissionRecord, OwnedRecord, StoredRecord } from './journal.ts';
import { asLease, checkIdentity, checkMissionId, checkNow, checkSteps, checkTtl, describeOwner, isProcessAlive, missionQueue } from './store.ts';
import type { MissionStore, Ownership, Takeover, WorkerIdentity } from './store.ts';

export const MISSION_SCHEMA: StoreSchema = {
  store: 'mission_lifecycle',
  migrations: [
    {
      version: 1,
      statements: [
        `CREATE TABLE mission_journal (
           mission_id text NOT NULL,
           seq bigint NOT NULL,
           token bigint NOT NULL,
           record jsonb NOT NULL,
           PRIMARY KEY (mission_id, seq))`,
      ],
    },
  ],
};

export interface SqlMissionStoreOptions {
  /** Told when a claim replaces a stale owner. */
  readonly onTakeover?: (takeover: Takeover) => void;
}

export class SqlMissionStore implements MissionStore {
  readonly where: string;
  readonly #db: SqlClient;
  readonly #leases: SqlLeases;
  readonly #options: SqlMissionStoreOptions;

  private constructor(db: SqlClient, leases: SqlLeases, options: SqlMissionStoreOptions) {
    this.where = `${db.target} (table mission_journal)`;
    this.#db = db;
    this.#leases = leases;
    this.#options = options;
  }

  /** Applies the lease and mission schemas (idempotent) and returns the store. */
  static async open(db: SqlClient, options: SqlMissionStoreOptions = {}): Promise<SqlMissionStore> {
    const leases = await SqlLeases.open(db);
    await applySchema(db, MISSION_SCHEMA);
    return new SqlMissionStore(db, leases, options);
  }

  async create(missionId: string, steps: readonly string[], now: number): Promise<void> {
    const id = checkMissionId(missionId);
    const record: MissionRecord = { kind: 'created', steps: checkSteps(steps), at: checkNow(now) };
    await this.#db.transaction(async (tx) => {
      const inserted = await tx.query(
        sql`INSERT INTO mission_journal (mission_id, seq, token, record) VALUES (${id}, 1, 0, ${JSON.stringify(record)}::jsonb) ON CONFLICT DO NOTHING`,
      );
      if (inserted.rowCount !== 1) throw new MissionExists(id, this.where);
      await this.#leases.using(tx).offer({ queue: missionQueue(id), item: id, readyAt: 0 });
    });
  }

  // #region sql-claim
  async claim(missionId: string, worker: WorkerIdentity, now: number, ttlMs: number): Promise<Ownership> {
    const id = checkMissionId(missionId);
    const me = checkIdentity(worker);
    checkNow(now);
    checkTtl(ttlMs);
    await this.#requireMission(id);
    const previous = await this.#currentLease(id);
    const holder = await this.#leases.holder(missionQueue(id), id, now);
    if (holder !== undefined) {
      const owner = toOwnership(id, holder);
      // Same host and its process is gone: no need to wait for the lease to run out.
      if (owner.host !== hostname() || isProcessAlive(owner.pid)) throw new MissionOwned(id, owner);
      await this.#leases.release(holder, { now });
      this.#options.onTakeover?.({ missionId: id, previous: owner, why: 'owner-process-dead' });
    } else if (previous !== undefined) {
      this.#options.onTakeover?.({ missionId: id, previous: toOwnership(id, previous), why: 'lease-expired' });
    }
    // The claim draws a token from one sequence: larger than every token of this mission before it.
    const lease = await this.#leases.claim({ queue: missionQueue(id), owner: describeOwner(me), now, ttlMs });
    if (lease === undefined) {
      const winner = await this.#leases.holder(missionQueue(id), id, now);
      if (winner !== undefined) throw new MissionOwned(id, toOwnership(id, winner));
      throw new Error(`mission "${id}" has no lease row in agentops_leases; it was not created by SqlMissionStore.create`);
    }
    const ownership: Ownership = { missionId: id, ...me, token: lease.token, expiresAt: lease.expiresAt };
    await this.append(ownership, { kind: 'claimed', token: lease.token, worker: me.worker, host: me.host, pid: me.pid, at: now }, now);
    return ownership;
  }
  // #endregion sql-claim

  async renew(ownership: Ownership, now: number, ttlMs: number): Promise<Ownership> {
    const lease = await this.#leases.renew(asLease(ownership), { now: checkNow(now), ttlMs: checkTtl(ttlMs) });
    return { ...ownership, expiresAt: lease.expiresAt };
  }

  // #region sql-append
  async append(ownership: Ownership, record: OwnedRecord, now: number): Promise<StoredRecord> {
    checkNow(now);
    if (record.token !== ownership.token) throw new RangeError(`record token ${record.token} differs from the ownership's token ${ownership.token}`);
    const id = ownership.missionId;
    // One statement: the fence (token and expiry, under a share lock on the lease row) and the insert.
    const result = await this.#leases.fencedWrite<{ seq: bigint }>(asLease(ownership), now, (fence) => sql`
      INSERT INTO mission_journal (mission_id, seq, token, record)
      SELECT ${id}, next.seq, ${ownership.token}, ${JSON.stringify(record)}::jsonb
        FROM (SELECT coalesce(max(seq), 0) + 1 AS seq FROM mission_journal WHERE mission_id = ${id}) AS next
       WHERE ${fence}
      RETURNING seq`);
    return { seq: Number(result.rows[0]?.seq), record };
  }
  // #endregion sql-append

  async release(ownership: Ownership, now: number): Promise<void> {
    await this.#leases.release(asLease(ownership), { now: checkNow(now) });
  }

  async read(missionId: string, afterSeq = 0): Promise<StoredRecord[]> {
    const id = checkMissionId(missionId);
    const result = await this.#db.query<{ seq: bigint; record: unknown }>(
      sql`SELECT seq, record FROM mission_journal WHERE mission_id = ${id} AND seq > ${afterSeq} ORDER BY seq`,
    );
    if (result.rows.length === 0 && afterSeq === 0) throw new MissionNotFound(id, this.where);
    const path = this.locate(id);
    return result.rows.map((row) => ({ seq: Number(row.seq), record: parseRecord(row.record, path, Number(row.seq)) }));
  }

  locate(missionId: string): string {
    return `${this.#db.target} mission_journal mission "${checkMissionId(missionId)}" seq`;
  }

  async close(): Promise<void> {
    // The client belongs to the caller, who closes it.
  }

  async #requireMission(id: string): Promise<void> {
    const result = await this.#db.query(sql`SELECT 1 FROM mission_journal WHERE mission_id = ${id} AND seq = 1`);
    if (result.rows.length === 0) throw new MissionNotFound(id, this.where);
  }

  // The lease row as stored, held or not: to tell a takeover after expiry from a first claim.
  async #currentLease(id: string): Promise<Lease | undefined> {
    const result = await this.#db.query<{ owner: string | null; token: bigint | null; expires_at: bigint | null }>(
      sql`SELECT owner, token, expires_at FROM agentops_leases WHERE queue = ${missionQueue(id)} AND item = ${id}`,
    );
    const row = result.rows[0];
    if (row === undefined || row.owner === null || row.token === null || row.expires_at === null) return undefined;
    return { queue: missionQueue(id), item: id, owner: row.owner, token: Number(row.token), expiresAt: Number(row.expires_at) };
  }
}

/** Reads back the owner a lease names (`worker@host:pid`, as `describeOwner` writes it). */
function toOwnership(missionId: string, lease: Lease): Ownership {
  const colon = lease.owner.lastIndexOf(':');
  const at = lease.owner.lastIndexOf('@', colon);
  const pid = Number(lease.owner.slice(colon + 1));
  return {
    missionId,
    worker: at > 0 ? lease.owner.slice(0, at) : lease.owner,
    host: at > 0 && colon > at ? lease.owner.slice(at + 1, colon) : '',
    pid: Number.isSafeInteger(pid) && pid > 0 ? pid : 0,
    token: lease.token,
    expiresAt: lease.expiresAt,
  };
}
