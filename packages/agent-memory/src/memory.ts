import { applySchema } from '@12-factor-agentops/sql';
import type { SqlClient, SqlExecutor } from '@12-factor-agentops/sql';
import { RETENTION_MISSION_ID } from './defaults.ts';
import { InvalidMemoryInput } from './errors.ts';
import { GraphMemory } from './graph.ts';
import { HistoryMemory } from './history.ts';
import { MEMORY_SCHEMA } from './schema.ts';
import { SemanticMemory } from './semantic.ts';
import type { Embedder } from './semantic.ts';
import { checkId, checkText, checkTime } from './validate.ts';

/** How long each layer keeps what it holds; a layer without a rule keeps everything. */
export interface RetentionRules {
  /** Documents not written for this long are removed. */
  readonly documentsMaxAgeMs?: number;
  /** Entities not written for this long, with no relation written within it, are removed with their relations. */
  readonly entitiesMaxAgeMs?: number;
  /** History records older than this are removed (pointers to them from newer records are cleared). */
  readonly historyMaxAgeMs?: number;
}

export interface AgentMemoryOptions {
  /** Longest document body accepted (default `DEFAULT_MAX_DOCUMENT_CHARS`). */
  readonly maxDocumentChars?: number;
  /** Turns text into a vector for `semantic.similar`; without it, only full-text search. */
  readonly embed?: Embedder;
  /** The clock that stamps records, in ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
  readonly retention?: RetentionRules;
}

/** Who removes something, and why: recorded in the history, with the id and nothing else of it. */
export interface Removal {
  readonly actor: string;
  readonly reason: string;
}

/** What a retention sweep removed, by id. */
export interface SweepResult {
  readonly documents: readonly string[];
  readonly entities: readonly string[];
  readonly historyRecords: number;
}

/** The three layers over one database: `semantic`, `graph` and `history`. */
export class AgentMemory {
  readonly semantic: SemanticMemory;
  readonly graph: GraphMemory;
  readonly history: HistoryMemory;
  readonly #db: SqlClient;
  readonly #now: () => number;
  readonly #retention: RetentionRules;

  private constructor(db: SqlClient, options: AgentMemoryOptions) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#retention = checkRetention(options.retention ?? {});
    this.semantic = new SemanticMemory(db, { now: this.#now, maxDocumentChars: options.maxDocumentChars, embed: options.embed });
    this.graph = new GraphMemory(db, { now: this.#now });
    this.history = new HistoryMemory(db, { now: this.#now });
  }

  /** Applies the memory schema to `db` (idempotent) and returns the three layers over it. */
  static async open(db: SqlClient, options: AgentMemoryOptions = {}): Promise<AgentMemory> {
    await applySchema(db, MEMORY_SCHEMA);
    return new AgentMemory(db, options);
  }

  // #region forget
  /**
   * Removes a document from memory: its row, and with it its text, its full-text entry and its
   * embedding. In the same transaction the history records that it was removed (its id, who,
   * why), nothing more. Returns false, and records nothing, if there was no such document.
   */
  async forgetDocument(id: string, removal: Removal): Promise<boolean> {
    const documentId = checkId('id', id);
    const { actor, reason } = checkRemoval(removal);
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.query('DELETE FROM memory_documents WHERE id = $1 RETURNING id', [documentId]);
      if (rows.length === 0) return false;
      await this.#recordRemoval(tx, { actor, reason, documentIds: [documentId], entityIds: [] });
      return true;
    });
  }
  // #endregion forget

  /** Removes an entity and every relation to or from it, recording the removal as `forgetDocument` does. */
  async forgetEntity(id: string, removal: Removal): Promise<boolean> {
    const entityId = checkId('id', id);
    const { actor, reason } = checkRemoval(removal);
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.query('DELETE FROM memory_entities WHERE id = $1 RETURNING id', [entityId]);
      if (rows.length === 0) return false;
      await this.#recordRemoval(tx, { actor, reason, documentIds: [], entityIds: [entityId] });
      return true;
    });
  }

  /**
   * Applies the retention rules once, in one transaction, and records what it removed. Run it
   * on a schedule (a cron-like event, Factor III).
   */
  async sweep(): Promise<SweepResult> {
    const now = checkTime('now()', this.#now());
    const { documentsMaxAgeMs, entitiesMaxAgeMs, historyMaxAgeMs } = this.#retention;
    return this.#db.transaction(async (tx) => {
      let historyRecords = 0;
      if (historyMaxAgeMs !== undefined) {
        await tx.query("SELECT set_config('agent_memory.retention_sweep', 'on', true)");
        const removed = await tx.query('DELETE FROM memory_history WHERE recorded_at < $1 RETURNING seq', [now - historyMaxAgeMs]);
        await tx.query("SELECT set_config('agent_memory.retention_sweep', 'off', true)");
        historyRecords = removed.rows.length;
      }
      const documents =
        documentsMaxAgeMs === undefined
          ? []
          : (await tx.query<{ id: string }>('DELETE FROM memory_documents WHERE recorded_at < $1 RETURNING id', [now - documentsMaxAgeMs])).rows.map((r) => r.id);
      const entities =
        entitiesMaxAgeMs === undefined
          ? []
          : (
              await tx.query<{ id: string }>(
                `DELETE FROM memory_entities e WHERE e.recorded_at < $1
                 AND NOT EXISTS (SELECT 1 FROM memory_relations r WHERE (r.from_id = e.id OR r.to_id = e.id) AND r.recorded_at >= $1)
                 RETURNING id`,
                [now - entitiesMaxAgeMs],
              )
            ).rows.map((r) => r.id);
      for (let i = 0; i < Math.max(documents.length, entities.length); i += 1_000) {
        await this.#recordRemoval(tx, {
          actor: 'retention',
          reason: 'Older than the retention rule of its layer.',
          documentIds: documents.slice(i, i + 1_000),
          entityIds: entities.slice(i, i + 1_000),
        });
      }
      return { documents: documents.sort(), entities: entities.sort(), historyRecords };
    });
  }

  async #recordRemoval(tx: SqlExecutor, removal: Removal & { readonly documentIds: readonly string[]; readonly entityIds: readonly string[] }): Promise<void> {
    const what = [...removal.documentIds.map((id) => `document ${id}`), ...removal.entityIds.map((id) => `entity ${id}`)];
    await new HistoryMemory(tx, { now: this.#now }).append({
      missionId: RETENTION_MISSION_ID,
      actor: removal.actor,
      kind: 'removed',
      summary: `Removed from memory: ${what.length} item${what.length === 1 ? '' : 's'}.`,
      reason: removal.reason,
      documentIds: removal.documentIds,
      entityIds: removal.entityIds,
    });
  }
}

function checkRemoval(removal: Removal): Removal {
  if (typeof removal !== 'object' || removal === null) throw new InvalidMemoryInput('removal', 'must be { actor, reason }');
  return { actor: checkText('removal.actor', removal.actor, 200), reason: checkText('removal.reason', removal.reason, 2_000) };
}

function checkRetention(rules: RetentionRules): RetentionRules {
  for (const [name, value] of Object.entries(rules)) {
    if (!['documentsMaxAgeMs', 'entitiesMaxAgeMs', 'historyMaxAgeMs'].includes(name)) throw new InvalidMemoryInput(`retention.${name}`, 'is not a retention rule');
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)) {
      throw new InvalidMemoryInput(`retention.${name}`, 'must be a whole number of ms greater than 0');
    }
  }
  return rules;
}
