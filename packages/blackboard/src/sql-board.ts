// The board in PostgreSQL (a server, or PGlite in one process). Claims are the sql package's
// leases; every write checks a version or a fencing token in its WHERE; every transaction that
// changes the board ends by taking the next board revision under the revision row's lock.
import { InvalidOptionError, wholeNumber } from '@12-factor-agentops/core';
import { FencingTokenRejected, SqlLeases, applySchema, sql } from '@12-factor-agentops/sql';
import type { Lease, SqlClient, SqlExecutor, StoreSchema } from '@12-factor-agentops/sql';
import type { Blackboard, ClaimRequest } from './board.ts';
import { checkClaim, checkClaimRequest, checkLimit, checkReason, checkRevision } from './checks.ts';
import { Conflict, IntentChanged, ShardNotFound } from './errors.ts';
import { acceptMission, backoffMs, boardRules, changedField, checkKey, checkName, checkShardId, checkTime, expiredReason, plainJson } from './model.ts';
import type { BoardOptions, BoardRules, Change, Changes, Claim, Entry, FailOutcome, Json, MissionSpec, Shard, ShardRun, ShardStatus, ShardView } from './model.ts';

/** The board's tables. The lease table and its token sequence come from the sql package. */
export const BLACKBOARD_SCHEMA: StoreSchema = {
  store: 'blackboard',
  migrations: [
    {
      version: 1,
      statements: [
        // One row: the board revision. Taking the next one locks the row until COMMIT, so
        // revisions commit in the order they were taken, with no gaps.
        'CREATE TABLE blackboard_revision (id int PRIMARY KEY CHECK (id = 1), revision bigint NOT NULL)',
        'INSERT INTO blackboard_revision VALUES (1, 0)',
        `CREATE TABLE blackboard_entries (
           key text PRIMARY KEY,
           value jsonb NOT NULL,
           version bigint NOT NULL CHECK (version > 0),
           revision bigint NOT NULL)`,
        'CREATE INDEX blackboard_entries_revision ON blackboard_entries (revision)',
        `CREATE TABLE blackboard_shards (
           id text PRIMARY KEY,
           mission text NOT NULL,
           key text NOT NULL,
           type text NOT NULL,
           input jsonb NOT NULL,
           max_attempts int NOT NULL CHECK (max_attempts > 0),
           backoff_base_ms bigint NOT NULL,
           backoff_max_ms bigint NOT NULL,
           created_at bigint NOT NULL,
           status text NOT NULL CHECK (status IN ('ready', 'running', 'done', 'failed')),
           attempts int NOT NULL DEFAULT 0 CHECK (attempts <= max_attempts),
           result jsonb,
           revision bigint NOT NULL)`,
        'CREATE INDEX blackboard_shards_mission ON blackboard_shards (mission, id)',
        'CREATE INDEX blackboard_shards_revision ON blackboard_shards (revision)',
        `CREATE TABLE blackboard_runs (
           shard_id text NOT NULL REFERENCES blackboard_shards (id),
           attempt int NOT NULL CHECK (attempt > 0),
           worker text NOT NULL,
           token bigint NOT NULL UNIQUE,
           status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'expired')),
           started_at bigint NOT NULL,
           ended_at bigint,
           outcome jsonb,
           reason text,
           PRIMARY KEY (shard_id, attempt))`,
        // Belt and braces: whatever a bug elsewhere did, a shard can hold one accepted result.
        "CREATE UNIQUE INDEX blackboard_runs_one_success ON blackboard_runs (shard_id) WHERE status = 'succeeded'",
      ],
    },
  ],
};

interface ShardRow {
  [column: string]: unknown;
  id: string;
  mission: string;
  key: string;
  type: string;
  input: Json;
  max_attempts: number;
  backoff_base_ms: bigint;
  backoff_max_ms: bigint;
  created_at: bigint;
  status: ShardStatus;
  result: Json | null;
}

interface RunRow {
  [column: string]: unknown;
  shard_id: string;
  attempt: number;
  worker: string;
  token: bigint;
  status: ShardRun['status'];
  started_at: bigint;
  ended_at: bigint | null;
  outcome: Json | null;
  reason: string | null;
}

interface Touched {
  readonly shards?: readonly string[];
  readonly entries?: readonly string[];
}

/**
 * The board on PostgreSQL: PGlite for one process, a server (`DATABASE_URL`) when worker
 * processes or hosts share it. The caller owns the client: `close()` leaves it open.
 */
export class SqlBoard implements Blackboard {
  readonly rules: BoardRules;
  readonly #db: SqlClient;
  readonly #leases: SqlLeases;
  #closed = false;

  private constructor(db: SqlClient, leases: SqlLeases, rules: BoardRules) {
    this.#db = db;
    this.#leases = leases;
    this.rules = rules;
  }

  /** Applies the lease and board schemas (idempotent) and returns the board. */
  static async open(db: SqlClient, options: BoardOptions): Promise<SqlBoard> {
    const rules = boardRules(options);
    const leases = await SqlLeases.open(db);
    await applySchema(db, BLACKBOARD_SCHEMA);
    return new SqlBoard(db, leases, rules);
  }

  async read(key: string): Promise<Entry | undefined> {
    this.#open();
    checkKey(key);
    const { rows } = await this.#db.query<{ key: string; value: Json; version: bigint; revision: bigint }>(
      sql`SELECT key, value, version, revision FROM blackboard_entries WHERE key = ${key}`,
    );
    const row = rows[0];
    return row === undefined ? undefined : { key: row.key, value: row.value, version: Number(row.version), revision: Number(row.revision) };
  }

  async write(key: string, value: Json, at: { readonly expectedVersion: number }): Promise<Entry> {
    this.#open();
    checkKey(key);
    const expected = wholeNumber('expectedVersion', at.expectedVersion, 0);
    const text = JSON.stringify(plainJson(`entry "${key}" value`, value));
    return this.#db.transaction(async (tx) => {
      // The version check is in the statement itself: a concurrent writer that got there first
      // makes this one change no row.
      const written =
        expected === 0
          ? await tx.query(sql`INSERT INTO blackboard_entries (key, value, version, revision) VALUES (${key}, ${text}::jsonb, 1, 0) ON CONFLICT (key) DO NOTHING`)
          : await tx.query(sql`UPDATE blackboard_entries SET value = ${text}::jsonb, version = version + 1 WHERE key = ${key} AND version = ${expected}`);
      if (written.rowCount !== 1) {
        const current = await tx.query<{ version: bigint }>(sql`SELECT version FROM blackboard_entries WHERE key = ${key}`);
        throw new Conflict(key, expected, Number(current.rows[0]?.version ?? 0));
      }
      const revision = await stamp(tx, { entries: [key] });
      return { key, value: JSON.parse(text) as Json, version: expected + 1, revision };
    });
  }

  async changesSince(revision: number, limit = 1_000): Promise<Changes> {
    this.#open();
    const from = checkRevision(revision);
    const max = checkLimit(limit);
    // Whole revisions only: a page ends at the revision of its `limit`-th change and includes
    // every change of that revision, so a reader that moves on to the page's last revision
    // never skips part of one (posting a mission changes many shards in one revision).
    const { rows } = await this.#db.query<{ kind: Change['kind']; id: string; revision: bigint }>(sql`
      WITH changed AS (
        SELECT 'entry' AS kind, key AS id, revision FROM blackboard_entries WHERE revision > ${from}
        UNION ALL SELECT 'shard', id, revision FROM blackboard_shards WHERE revision > ${from}),
      cutoff AS (SELECT revision FROM changed ORDER BY revision OFFSET ${max - 1} LIMIT 1)
      SELECT kind, id, revision FROM changed
       WHERE NOT EXISTS (SELECT 1 FROM cutoff) OR revision <= (SELECT revision FROM cutoff)
       ORDER BY revision, kind, id`);
    const changes = rows.map((row) => ({ kind: row.kind, id: row.id, revision: Number(row.revision) }));
    return { changes, revision: changes.at(-1)?.revision ?? from };
  }

  async postMission(mission: MissionSpec, now: number): Promise<{ readonly posted: number; readonly existing: number }> {
    this.#open();
    const shards = acceptMission(this.rules, mission, checkTime('now', now));
    const records = JSON.stringify(
      shards.map((shard) => ({
        id: shard.id,
        mission: shard.mission,
        key: shard.key,
        type: shard.type,
        input: shard.input,
        max_attempts: shard.maxAttempts,
        backoff_base_ms: shard.backoff.baseMs,
        backoff_max_ms: shard.backoff.maxMs,
        created_at: shard.createdAt,
      })),
    );
    return this.#db.transaction(async (tx) => {
      const inserted = await tx.query<{ id: string }>(sql`
        INSERT INTO blackboard_shards (id, mission, key, type, input, max_attempts, backoff_base_ms, backoff_max_ms, created_at, status, revision)
        SELECT id, mission, key, type, input, max_attempts, backoff_base_ms, backoff_max_ms, created_at, 'ready', 0
          FROM jsonb_to_recordset(${records}::jsonb) AS x(id text, mission text, key text, type text, input jsonb,
               max_attempts int, backoff_base_ms bigint, backoff_max_ms bigint, created_at bigint)
        ON CONFLICT (id) DO NOTHING
        RETURNING id`);
      const fresh = new Set(inserted.rows.map((row) => row.id));
      const others = shards.filter((shard) => !fresh.has(shard.id));
      if (others.length > 0) {
        const { rows } = await tx.query<ShardRow>(sql`SELECT * FROM blackboard_shards WHERE id = ANY(${others.map((shard) => shard.id)}::text[])`);
        const accepted = new Map(rows.map((row) => [row.id, toShard(row)]));
        for (const shard of others) {
          const field = changedField(accepted.get(shard.id) as Shard, shard);
          if (field !== undefined) throw new IntentChanged(shard.id, field);
        }
      }
      const leases = this.#leases.using(tx);
      for (const shard of shards) if (fresh.has(shard.id)) await leases.offer({ queue: queueOf(shard.type), item: shard.id, readyAt: now });
      if (fresh.size > 0) await stamp(tx, { shards: [...fresh] });
      return { posted: fresh.size, existing: others.length };
    });
  }

  async claim(request: ClaimRequest): Promise<Claim | undefined> {
    this.#open();
    const { worker, type, now, ttlMs } = checkClaimRequest(this.rules, request);
    const reason = expiredReason(now);
    return this.#db.transaction(async (tx) => {
      const leases = this.#leases.using(tx);
      for (;;) {
        // The lease row is now locked by this claim; a late write of the run before this one
        // waits for it in its fence, then sees the new token and changes nothing.
        const lease = await leases.claim({ queue: queueOf(type), owner: worker, now, ttlMs });
        if (lease === undefined) return undefined;
        // One statement closes a run whose lease ran out, opens the next run (or fails the
        // shard when its attempts are spent) and takes the next board revision. The revision
        // row is locked after the lease row, as in every transaction here, so none deadlock.
        const { rows } = await tx.query<{ status: ShardStatus; attempts: number; mission: string; input: Json }>(sql`
          WITH expired AS (
            UPDATE blackboard_runs SET status = 'expired', ended_at = ${now}, reason = ${reason}
             WHERE shard_id = ${lease.item} AND status = 'running'),
          opened AS (
            INSERT INTO blackboard_runs (shard_id, attempt, worker, token, status, started_at)
            SELECT id, attempts + 1, ${worker}, ${lease.token}, 'running', ${now}
              FROM blackboard_shards WHERE id = ${lease.item} AND attempts < max_attempts),
          rev AS (UPDATE blackboard_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision)
          UPDATE blackboard_shards
             SET status = CASE WHEN attempts < max_attempts THEN 'running' ELSE 'failed' END,
                 attempts = least(attempts + 1, max_attempts),
                 revision = (SELECT revision FROM rev)
           WHERE id = ${lease.item}
          RETURNING status, attempts, mission, input`);
        const row = rows[0];
        if (row === undefined) throw new ShardNotFound(lease.item);
        if (row.status === 'failed') {
          await leases.complete(lease, { now });
          continue;
        }
        return { shardId: lease.item, mission: row.mission, type, input: row.input, attempt: row.attempts, worker, token: lease.token, expiresAt: lease.expiresAt };
      }
    });
  }

  async renew(claim: Claim, at: { readonly now: number; readonly ttlMs: number }): Promise<Claim> {
    this.#open();
    checkClaim(claim);
    const lease = await this.#leases.renew(leaseOf(claim), { now: checkTime('now', at.now), ttlMs: wholeNumber('ttlMs', at.ttlMs, 1) });
    return { ...claim, expiresAt: lease.expiresAt };
  }

  // #region complete-under-token
  async complete(claim: Claim, outcome: Json, now: number): Promise<void> {
    this.#open();
    checkClaim(claim);
    checkTime('now', now);
    const text = JSON.stringify(plainJson(`result of shard "${claim.shardId}"`, outcome));
    const lease = leaseOf(claim);
    // One statement, so one round trip and its own transaction: the fenced run update, then (only
    // if it changed the run, which also took the lease row's share lock) the lease's removal,
    // the next board revision, and the shard's result. The lease row is deleted here rather than
    // through SqlLeases.complete to save a round trip; the condition is the same token check.
    const written = await fenced(this.#db, claim, () =>
      this.#leases.fencedWrite(lease, now, (fence) => sql`
        WITH run AS (
          UPDATE blackboard_runs SET status = 'succeeded', outcome = ${text}::jsonb, ended_at = ${now}
           WHERE shard_id = ${claim.shardId} AND attempt = ${claim.attempt} AND token = ${claim.token} AND status = 'running' AND ${fence}
          RETURNING shard_id),
        released AS (
          DELETE FROM agentops_leases
           WHERE queue = ${lease.queue} AND item = ${claim.shardId} AND token = ${claim.token} AND EXISTS (SELECT 1 FROM run)),
        rev AS (
          UPDATE blackboard_revision SET revision = revision + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM run) RETURNING revision)
        UPDATE blackboard_shards SET status = 'done', result = ${text}::jsonb, revision = (SELECT revision FROM rev)
         WHERE id IN (SELECT shard_id FROM run)`),
    );
    if (written.rowCount !== 1) throw new Error(`run ${claim.attempt} of shard "${claim.shardId}" is not open although its lease holds`);
  }
  // #endregion complete-under-token

  async fail(claim: Claim, reason: string, now: number): Promise<FailOutcome> {
    this.#open();
    checkClaim(claim);
    checkTime('now', now);
    const why = checkReason(reason);
    return this.#db.transaction(async (tx) => {
      const leases = this.#leases.using(tx);
      const lease = leaseOf(claim);
      const { rows } = await fenced(tx, claim, () => leases.fencedWrite<{ status: ShardStatus; backoff_base_ms: bigint; backoff_max_ms: bigint }>(lease, now, (fence) => sql`
        WITH run AS (
          UPDATE blackboard_runs SET status = 'failed', reason = ${why}, ended_at = ${now}
           WHERE shard_id = ${claim.shardId} AND attempt = ${claim.attempt} AND token = ${claim.token} AND status = 'running' AND ${fence}
          RETURNING shard_id)
        UPDATE blackboard_shards SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'ready' END
         WHERE id IN (SELECT shard_id FROM run)
        RETURNING status, backoff_base_ms, backoff_max_ms`));
      const row = rows[0];
      if (row === undefined) throw new Error(`run ${claim.attempt} of shard "${claim.shardId}" is not open although its lease holds`);
      let outcome: FailOutcome;
      if (row.status === 'failed') {
        await leases.complete(lease, { now });
        outcome = { status: 'failed' };
      } else {
        const readyAt = now + backoffMs({ baseMs: Number(row.backoff_base_ms), maxMs: Number(row.backoff_max_ms) }, claim.attempt);
        await leases.release(lease, { now, readyAt });
        outcome = { status: 'retrying', readyAt };
      }
      await stamp(tx, { shards: [claim.shardId] });
      return outcome;
    });
  }

  async shard(shardId: string): Promise<ShardView | undefined> {
    this.#open();
    checkShardId(shardId);
    const { rows } = await this.#db.query<ShardRow>(sql`SELECT * FROM blackboard_shards WHERE id = ${shardId}`);
    const row = rows[0];
    if (row === undefined) return undefined;
    const runs = await this.#db.query<RunRow>(sql`SELECT * FROM blackboard_runs WHERE shard_id = ${shardId} ORDER BY attempt`);
    return toView(row, runs.rows);
  }

  async mission(missionId: string): Promise<readonly ShardView[]> {
    this.#open();
    checkName('missionId', missionId);
    const { rows } = await this.#db.query<ShardRow>(sql`SELECT * FROM blackboard_shards WHERE mission = ${missionId} ORDER BY id`);
    const runs = await this.#db.query<RunRow>(sql`
      SELECT r.* FROM blackboard_runs r JOIN blackboard_shards s ON s.id = r.shard_id
       WHERE s.mission = ${missionId} ORDER BY r.shard_id, r.attempt`);
    const byShard = new Map<string, RunRow[]>();
    for (const run of runs.rows) byShard.set(run.shard_id, [...(byShard.get(run.shard_id) ?? []), run]);
    return rows.map((row) => toView(row, byShard.get(row.id) ?? []));
  }

  /** Marks the board closed; the client stays open (the caller owns it). */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw new InvalidOptionError('board', 'an open board', 'a closed board');
  }
}

// Takes the next board revision and stamps it on every row this transaction changed. It runs
// last, so the revision row is locked only from here to COMMIT: rows first, revision last, in
// every transaction, so two writers never wait for each other in opposite orders.
async function stamp(tx: SqlExecutor, touched: Touched): Promise<number> {
  const { rows } = await tx.query<{ revision: bigint }>(sql`
    WITH rev AS (UPDATE blackboard_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision),
    s AS (UPDATE blackboard_shards SET revision = (SELECT revision FROM rev) WHERE id = ANY(${touched.shards ?? []}::text[])),
    e AS (UPDATE blackboard_entries SET revision = (SELECT revision FROM rev) WHERE key = ANY(${touched.entries ?? []}::text[]))
    SELECT revision FROM rev`);
  return Number(rows[0]?.revision);
}

// Runs a fenced write; when its lease is 'gone', tells a shard that never existed
// (ShardNotFound) from one whose run already ended (FencingTokenRejected).
async function fenced<T>(tx: SqlExecutor, claim: Claim, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof FencingTokenRejected && error.reason === 'gone') {
      const { rowCount } = await tx.query(sql`SELECT 1 FROM blackboard_shards WHERE id = ${claim.shardId}`);
      if (rowCount === 0) throw new ShardNotFound(claim.shardId);
    }
    throw error;
  }
}

function queueOf(type: string): string {
  return `blackboard:${type}`;
}

function leaseOf(claim: Claim): Lease {
  return { queue: queueOf(claim.type), item: claim.shardId, owner: claim.worker, token: claim.token, expiresAt: claim.expiresAt };
}

function toShard(row: ShardRow): Shard {
  return {
    id: row.id,
    mission: row.mission,
    key: row.key,
    type: row.type,
    input: row.input,
    maxAttempts: row.max_attempts,
    backoff: { baseMs: Number(row.backoff_base_ms), maxMs: Number(row.backoff_max_ms) },
    createdAt: Number(row.created_at),
  };
}

function toView(row: ShardRow, runs: readonly RunRow[]): ShardView {
  return {
    shard: toShard(row),
    status: row.status,
    result: row.status === 'done' ? (row.result as Json) : undefined,
    runs: runs.map((run) => ({
      shardId: run.shard_id,
      attempt: run.attempt,
      worker: run.worker,
      token: Number(run.token),
      status: run.status,
      startedAt: Number(run.started_at),
      endedAt: run.ended_at === null ? null : Number(run.ended_at),
      outcome: run.status === 'succeeded' ? (run.outcome as Json) : undefined,
      reason: run.reason,
    })),
  };
}
