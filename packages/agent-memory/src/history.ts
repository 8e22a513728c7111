import { sqlState } from '@12-factor-agentops/sql';
import type { SqlExecutor } from '@12-factor-agentops/sql';
import { InvalidMemoryInput, UnknownRecord } from './errors.ts';
import { checkId, checkText, checkTime } from './validate.ts';

/**
 * What a record says happened: something was `tried`, `decided` or `observed`; a decision is
 * `open` until a later record `resolves` it; `removed` marks content deleted from memory.
 */
export type HistoryKind = 'tried' | 'decided' | 'observed' | 'open' | 'removed';
const KINDS: readonly HistoryKind[] = ['tried', 'decided', 'observed', 'open', 'removed'];

/** A record to append. Documents and entities are referred to by id, never copied. */
export interface HistoryEntry {
  readonly missionId: string;
  readonly step?: string;
  /** Who: an agent id or a person's role. */
  readonly actor: string;
  readonly kind: HistoryKind;
  /** What, in one or two sentences. */
  readonly summary: string;
  /** Why. */
  readonly reason?: string;
  readonly documentIds?: readonly string[];
  readonly entityIds?: readonly string[];
  /** The record this one corrects: the old one stays, this one supersedes it. */
  readonly corrects?: bigint;
  /** The `open` record this one answers. */
  readonly resolves?: bigint;
}

/** A stored record: the entry, its sequence number and when it was appended. */
export interface HistoryRecord extends Required<Omit<HistoryEntry, 'step' | 'reason' | 'corrects' | 'resolves'>> {
  readonly seq: bigint;
  readonly step: string | undefined;
  readonly reason: string | undefined;
  readonly corrects: bigint | undefined;
  readonly resolves: bigint | undefined;
  readonly recordedAt: number;
}

type HistoryRow = {
  seq: bigint;
  mission_id: string;
  step: string | null;
  actor: string;
  kind: HistoryKind;
  summary: string;
  reason: string | null;
  document_ids: string[];
  entity_ids: string[];
  corrects: bigint | null;
  resolves: bigint | null;
  recorded_at: bigint;
};

const COLUMNS = 'seq, mission_id, step, actor, kind, summary, reason, document_ids, entity_ids, corrects, resolves, recorded_at';

/**
 * The historical layer: an append-only record of what was tried, decided and why. Rows are
 * never updated or deleted (a trigger refuses both); a correction is a new record that points
 * at the old one.
 */
export class HistoryMemory {
  readonly #db: SqlExecutor;
  readonly #now: () => number;

  constructor(db: SqlExecutor, options: { readonly now: () => number }) {
    this.#db = db;
    this.#now = options.now;
  }

  /** Appends a record and returns it with its sequence number. */
  async append(entry: HistoryEntry): Promise<HistoryRecord> {
    const missionId = checkId('entry.missionId', entry?.missionId);
    const step = entry.step === undefined ? null : checkText('entry.step', entry.step, 200);
    const actor = checkText('entry.actor', entry.actor, 200);
    if (!KINDS.includes(entry.kind)) throw new InvalidMemoryInput('entry.kind', `must be one of ${KINDS.join(', ')}`);
    const summary = checkText('entry.summary', entry.summary, 2_000);
    const reason = entry.reason === undefined ? null : checkText('entry.reason', entry.reason, 4_000);
    const documentIds = checkIds('entry.documentIds', entry.documentIds);
    const entityIds = checkIds('entry.entityIds', entry.entityIds);
    const corrects = checkSeq('entry.corrects', entry.corrects);
    const resolves = checkSeq('entry.resolves', entry.resolves);
    const at = checkTime('now()', this.#now());
    try {
      const { rows } = await this.#db.query<HistoryRow>(
        `INSERT INTO memory_history (mission_id, step, actor, kind, summary, reason, document_ids, entity_ids, corrects, resolves, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
        [missionId, step, actor, entry.kind, summary, reason, documentIds, entityIds, corrects, resolves, at],
      );
      const [row] = rows;
      if (!row) throw new Error('INSERT … RETURNING returned no row');
      return toRecord(row);
    } catch (error) {
      if (sqlState(error) === '23503') throw new UnknownRecord((corrects !== null && !(await this.#exists(corrects)) ? corrects : resolves) ?? 0n);
      throw error;
    }
  }

  /** A mission's records, oldest first. */
  async forMission(missionId: string): Promise<HistoryRecord[]> {
    const { rows } = await this.#db.query<HistoryRow>(`SELECT ${COLUMNS} FROM memory_history WHERE mission_id = $1 ORDER BY seq`, [
      checkId('missionId', missionId),
    ]);
    return rows.map(toRecord);
  }

  /**
   * A mission's current records: those no later record corrects. Each correction stands in
   * for the record it corrects.
   */
  async current(missionId: string): Promise<HistoryRecord[]> {
    const { rows } = await this.#db.query<HistoryRow>(
      `SELECT ${COLUMNS} FROM memory_history h WHERE mission_id = $1
       AND NOT EXISTS (SELECT 1 FROM memory_history c WHERE c.corrects = h.seq) ORDER BY seq`,
      [checkId('missionId', missionId)],
    );
    return rows.map(toRecord);
  }

  // #region open-decisions
  /** A mission's open decisions: `open` records that no later record resolves or corrects. */
  async openDecisions(missionId: string): Promise<HistoryRecord[]> {
    const { rows } = await this.#db.query<HistoryRow>(
      `SELECT ${COLUMNS} FROM memory_history h
       WHERE h.mission_id = $1 AND h.kind = 'open'
         AND NOT EXISTS (SELECT 1 FROM memory_history later
                         WHERE later.resolves = h.seq OR later.corrects = h.seq)
       ORDER BY h.seq`,
      [checkId('missionId', missionId)],
    );
    return rows.map(toRecord);
  }
  // #endregion open-decisions

  async #exists(seq: bigint): Promise<boolean> {
    const { rows } = await this.#db.query('SELECT 1 FROM memory_history WHERE seq = $1', [seq]);
    return rows.length > 0;
  }
}

function checkIds(field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidMemoryInput(field, 'must be an array of ids');
  if (value.length > 1_000) throw new InvalidMemoryInput(field, `has ${value.length} ids; the limit is 1,000`);
  return value.map((id, index) => checkId(`${field}[${index}]`, id));
}

function checkSeq(field: string, value: unknown): bigint | null {
  if (value === undefined) return null;
  if (typeof value !== 'bigint' || value < 1n) throw new InvalidMemoryInput(field, 'must be the bigint seq of an existing record');
  return value;
}

function toRecord(row: HistoryRow): HistoryRecord {
  return {
    seq: BigInt(row.seq),
    missionId: row.mission_id,
    step: row.step ?? undefined,
    actor: row.actor,
    kind: row.kind,
    summary: row.summary,
    reason: row.reason ?? undefined,
    documentIds: row.document_ids,
    entityIds: row.entity_ids,
    corrects: row.corrects === null ? undefined : BigInt(row.corrects),
    resolves: row.resolves === null ? undefined : BigInt(row.resolves),
    recordedAt: Number(row.recorded_at),
  };
}
