import { InvalidOptionError } from '@12-factor-agentops/core';
import { CommitOutcomeUnknown, applySchema, type SqlClient, type SqlExecutor, type StoreSchema } from '@12-factor-agentops/sql';
import { logIdProblem, type SignedCheckpoint } from './checkpoint.ts';
import { checkpointLine, readCheckpointLine } from './checkpoint-line.ts';
import { GENESIS_HASH, InvalidRecord, entryHash, isWellFormed, lineText, parseEntryBody, sealEntry, splitLine, type AuditRecord, type SealedEntry } from './entry.ts';
import type { AuditStore, CheckpointStore } from './store.ts';

/**
 * The tables of the PostgreSQL stores: one row per entry and one per checkpoint, keyed by log
 * id, so one database holds many logs. A trigger refuses UPDATE, DELETE and TRUNCATE on both,
 * whoever asks, so a row is never changed in place; the README shows the grants that keep an
 * application role from disabling it.
 */
export const AUDIT_TRAIL_SCHEMA: StoreSchema = {
  store: 'audit_trail',
  migrations: [
    {
      version: 1,
      statements: [
        `CREATE TABLE audit_entries (
           log_id text NOT NULL,
           position bigint NOT NULL CHECK (position >= 0),
           line bytea NOT NULL,
           PRIMARY KEY (log_id, position))`,
        `CREATE TABLE audit_checkpoints (
           log_id text NOT NULL,
           seq bigint GENERATED ALWAYS AS IDENTITY,
           line bytea NOT NULL,
           PRIMARY KEY (log_id, seq))`,
        `CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP
             USING HINT = 'the audit trail never changes a stored row: record a correction as a new entry';
         END $$`,
        // Takes the log's lock, then reads its last entry: in a volatile function each statement
        // takes a new snapshot, so the read sees every append committed before the lock was granted.
        `CREATE FUNCTION audit_lock_head(p_log_id text) RETURNS TABLE (head_position bigint, head_line bytea) LANGUAGE plpgsql VOLATILE AS $$
         BEGIN
           PERFORM pg_advisory_xact_lock(hashtextextended('audit-trail ' || p_log_id, 0));
           RETURN QUERY SELECT e.position, e.line FROM audit_entries e WHERE e.log_id = p_log_id ORDER BY e.position DESC LIMIT 1;
         END $$`,
        'CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()',
        'CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()',
        'CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()',
        'CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()',
      ],
    },
  ],
};

/** Options of `PostgresAuditStore.open` and `PostgresCheckpointStore.open`. */
export interface PostgresStoreOptions {
  /** The log this store reads and appends: the `logId` its trail signs into checkpoints. */
  readonly logId: string;
  /**
   * Whether `open` brings the tables up to date (default true). Pass false for an application
   * role that may only read and append: the owner applies the schema (see the README).
   */
  readonly applySchema?: boolean;
}

/**
 * Thrown by `PostgresAuditStore.append` when the log has grown since this store last read or
 * wrote it: another writer appended, and lines sealed against the old head would fork the
 * chain. Nothing was written.
 */
export class AuditAppendConflict extends Error {
  override readonly name = 'AuditAppendConflict';
  constructor(
    readonly logId: string,
    readonly expected: number,
    readonly found: number,
  ) {
    super(
      `log ${JSON.stringify(logId)} holds ${found} entries, but this store expected to append at entry ${expected}: another writer appended since this store last read it. ` +
        "Nothing was written; several writers share a log through SharedAuditTrail, which seals each entry under the log's lock",
    );
  }
}

/**
 * Thrown when the last stored entry of a log is not one the trail sealed (its bytes do not hash
 * to the hash it stores, or it is not framed or numbered as an entry): a sequenced append will
 * not link a new entry to it. Nothing was appended.
 */
export class StoredHeadInvalid extends Error {
  override readonly name = 'StoredHeadInvalid';
  constructor(
    readonly logId: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`the last entry of log ${JSON.stringify(logId)} (position ${position}) is not the entry the trail sealed there: ${reason}; nothing was appended. Run verifyChain over the log and investigate before appending`);
  }
}

/** What a sequenced append did with one record: sealed it at its place, or refused it alone. */
export type SealOutcome = { readonly sealed: SealedEntry } | { readonly refused: unknown };

/**
 * A store that places records in the chain itself, under a lock of the log, so that appenders
 * that never see each other's heads still write one chain. `SharedAuditTrail` appends through it.
 */
export interface SequencedAuditStore {
  /**
   * Seals `records`, in order, after the log's stored head and appends them in one transaction.
   * A record that cannot be sealed (`InvalidRecord`, `CanonicalEncodingError`) is refused alone.
   * Resolves once the others are durable; rejects if none of them was written (or, with the
   * SQL package's `CommitOutcomeUnknown`, if that cannot be known).
   */
  appendRecords(records: readonly AuditRecord[]): Promise<readonly SealOutcome[]>;
  close(): Promise<void>;
}

/** A log whose lines can be read from a position on: what a checkpointer follows. */
export interface ChainSource {
  readonly logId: string;
  /** The stored lines from entry `position` on, exactly as stored, once they are durable. */
  readLinesFrom(position: number): Promise<readonly Uint8Array[]>;
}

function checkLogId(logId: string): string {
  if (logIdProblem(logId) !== undefined) throw new InvalidOptionError('logId', 'a name for the log: 1 to 256 characters, none of them control characters', logId);
  return logId;
}

// One transaction-scoped advisory lock per log: the sequencer every append of the log goes through.
const LOCK_LOG = "SELECT pg_advisory_xact_lock(hashtextextended('audit-trail ' || $1, 0))";
// A transaction that writes one WAL record and commits with synchronous_commit on: COMMIT returns
// once the WAL is flushed up to its commit record, and so past every commit before it.
const FLUSH_WAL = "SELECT pg_logical_emit_message(true, 'audit-trail', 'flush')";
const INSERT_LINES = `INSERT INTO audit_entries (log_id, position, line)
  SELECT $1, $2::bigint + t.ord - 1, decode(t.hex, 'hex') FROM unnest($3::text[]) WITH ORDINALITY AS t(hex, ord)`;

/**
 * The chain in PostgreSQL (a server or PGlite): one row per entry, its line stored as the exact
 * bytes the trail sealed. Appends take a transaction-scoped advisory lock of the log, so appends
 * from many processes and hosts are sequenced one after another; the primary key (log, position)
 * refuses a second entry at a position even without it.
 *
 * `append(lines)` serves `AuditTrail`, which seals lines against the head it holds: it refuses
 * (`AuditAppendConflict`) when another writer appended since this store last read or wrote the
 * log. `appendRecords(records)` serves `SharedAuditTrail`: it seals the records under the lock,
 * after whatever head the log has.
 */
export class PostgresAuditStore implements AuditStore, SequencedAuditStore, ChainSource {
  readonly logId: string;
  readonly #db: SqlClient;
  // The position the next `append` must land at, as far as this store has seen; null before it has read or written.
  #next: number | null = null;

  private constructor(db: SqlClient, logId: string) {
    this.#db = db;
    this.logId = logId;
  }

  /** Opens the log `logId` in `db` (applying the schema unless `applySchema: false`). The caller owns `db`. */
  static async open(db: SqlClient, options: PostgresStoreOptions): Promise<PostgresAuditStore> {
    const logId = checkLogId(options.logId);
    if (options.applySchema !== false) await applySchema(db, AUDIT_TRAIL_SCHEMA);
    return new PostgresAuditStore(db, logId);
  }

  async append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const hex = lines.map((line, i) => {
      if (!isWellFormed(line)) throw new InvalidRecord(`line ${i} of the group has a lone surrogate, which no UTF-8 bytes encode`);
      return Buffer.from(line, 'utf8').toString('hex');
    });
    const next = await this.#db.transaction(async (tx) => {
      await tx.query(LOCK_LOG, [this.logId]);
      const size = await this.#size(tx);
      if (this.#next !== null && size !== this.#next) throw new AuditAppendConflict(this.logId, this.#next, size);
      await tx.query(INSERT_LINES, [this.logId, size, hex]);
      return size + lines.length;
    });
    this.#next = next;
  }

  /**
   * The lock is held from the head read to COMMIT, and that COMMIT does not wait for the WAL
   * flush (synchronous_commit off for this transaction only), so the next appender, on any host,
   * takes the lock while this one's commit is flushed, and the flushes of several appenders are
   * shared. Nothing is acknowledged before it is durable: a second transaction, which writes a
   * WAL record and commits synchronously, returns only once the WAL is flushed past this commit.
   * The WAL is one sequence, so a durable entry has every entry before it in the chain durable
   * too: a crash before the flush loses a suffix of the chain, never a middle entry, and never
   * an acknowledged one. PGlite has one connection, whose transactions never overlap: there the
   * append commits synchronously and nothing waits apart.
   */
  async appendRecords(records: readonly AuditRecord[]): Promise<readonly SealOutcome[]> {
    if (records.length === 0) return [];
    const outcomes = await this.#db.transaction(async (tx) => {
      // On a server, this transaction's COMMIT does not wait for the WAL flush: see above.
      if (this.#db.kind === 'server') await tx.query("SELECT set_config('synchronous_commit', 'off', true)");
      let { index, prevHash } = await this.#lockHead(tx);
      const outcomes: SealOutcome[] = [];
      const hex: string[] = [];
      const start = index;
      for (const record of records) {
        try {
          const sealed = sealEntry(record, index, prevHash);
          outcomes.push({ sealed });
          hex.push(Buffer.from(sealed.line, 'utf8').toString('hex'));
          index++;
          prevHash = sealed.hash;
        } catch (error) {
          outcomes.push({ refused: error });
        }
      }
      if (hex.length > 0) await tx.query(INSERT_LINES, [this.logId, start, hex]);
      return outcomes;
    });
    if (this.#db.kind === 'server' && outcomes.some((outcome) => 'sealed' in outcome)) await this.flush();
    return outcomes;
  }

  /**
   * Returns once every commit made on the server so far is durable (its WAL flushed). A failure
   * leaves entries committed but perhaps not durable: `CommitOutcomeUnknown`.
   */
  async flush(): Promise<void> {
    try {
      await this.#db.query(FLUSH_WAL);
    } catch (error) {
      throw new CommitOutcomeUnknown(this.#db.target, `the entries were committed, but waiting for their WAL flush failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  async readLines(): Promise<readonly Uint8Array[]> {
    const lines = await this.readLinesFrom(0);
    this.#next = lines.length;
    return lines;
  }

  /**
   * The lines from entry `position` on, returned once they are durable: an append's entries are
   * visible from its COMMIT, a moment before their WAL flush (see appendRecords), and a
   * checkpoint signed over an entry a crash then took away would report a truncation.
   */
  async readLinesFrom(position: number): Promise<readonly Uint8Array[]> {
    const { rows } = await this.#db.query<{ line: Uint8Array }>('SELECT line FROM audit_entries WHERE log_id = $1 AND position >= $2 ORDER BY position', [this.logId, position]);
    if (this.#db.kind === 'server') await this.flush();
    return rows.map((row) => new Uint8Array(row.line.buffer, row.line.byteOffset, row.line.byteLength));
  }

  /** The client stays open: it belongs to the caller. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  async #size(tx: SqlExecutor): Promise<number> {
    const { rows } = await tx.query<{ next: bigint }>('SELECT coalesce(max(position) + 1, 0) AS next FROM audit_entries WHERE log_id = $1', [this.logId]);
    return Number(rows[0]?.next ?? 0n);
  }

  // Takes the log's lock and returns the index and hash the next entry links to, read from the
  // last stored line and checked; one round trip, so the lock is held for one less.
  async #lockHead(tx: SqlExecutor): Promise<{ index: number; prevHash: string }> {
    const { rows } = await tx.query<{ head_position: bigint | null; head_line: Uint8Array | null }>('SELECT head_position, head_line FROM audit_lock_head($1)', [this.logId]);
    const last = rows[0];
    if (last === undefined || last.head_position === null || last.head_line === null) return { index: 0, prevHash: GENESIS_HASH };
    const position = Number(last.head_position);
    const refuse = (reason: string): never => {
      throw new StoredHeadInvalid(this.logId, position, reason);
    };
    const text = lineText(last.head_line);
    if (typeof text !== 'string') return refuse(`its bytes are not well-formed UTF-8 from offset ${text.offset}`);
    const parts = splitLine(text);
    if (typeof parts === 'string') return refuse(parts);
    const calculated = entryHash(parts.body);
    if (calculated !== parts.storedHash) return refuse(`its bytes hash to ${calculated.slice(0, 12)}…, not to the hash it stores`);
    const entry = parseEntryBody(parts.body);
    if (typeof entry === 'string') return refuse(entry);
    if (entry.index !== position) return refuse(`it holds entry ${entry.index}`);
    return { index: position + 1, prevHash: calculated };
  }
}

/**
 * Signed checkpoints in PostgreSQL, one row per checkpoint in the order saved, with the same
 * canonical line the file store writes. Keep them where the appenders cannot write: the
 * README's grants give appending roles SELECT only on this table.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  readonly logId: string;
  readonly #db: SqlClient;

  private constructor(db: SqlClient, logId: string) {
    this.#db = db;
    this.logId = logId;
  }

  /** Opens the checkpoints of log `logId` in `db` (applying the schema unless `applySchema: false`). The caller owns `db`. */
  static async open(db: SqlClient, options: PostgresStoreOptions): Promise<PostgresCheckpointStore> {
    const logId = checkLogId(options.logId);
    if (options.applySchema !== false) await applySchema(db, AUDIT_TRAIL_SCHEMA);
    return new PostgresCheckpointStore(db, logId);
  }

  async save(checkpoint: SignedCheckpoint): Promise<void> {
    await this.#db.query("INSERT INTO audit_checkpoints (log_id, line) VALUES ($1, decode($2, 'hex'))", [this.logId, Buffer.from(checkpointLine(checkpoint), 'utf8').toString('hex')]);
  }

  /** Every checkpoint saved for the log, oldest first; throws `CheckpointRejected` for a malformed row. */
  async readAll(): Promise<readonly SignedCheckpoint[]> {
    const { rows } = await this.#db.query<{ seq: bigint; line: Uint8Array }>('SELECT seq, line FROM audit_checkpoints WHERE log_id = $1 ORDER BY seq', [this.logId]);
    return rows.map((row) => readCheckpointLine(row.line, `checkpoint row ${row.seq} of log ${JSON.stringify(this.logId)}`));
  }

  /** The client stays open: it belongs to the caller. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
