import { applySchema } from '@12-factor-agentops/sql';
import type { SqlClient } from '@12-factor-agentops/sql';
import { GraphMemory } from './graph.ts';
import { HistoryMemory } from './history.ts';
import { MEMORY_SCHEMA } from './schema.ts';
import { SemanticMemory } from './semantic.ts';
import type { Embedder } from './semantic.ts';

export interface AgentMemoryOptions {
  /** Longest document body accepted (default `DEFAULT_MAX_DOCUMENT_CHARS`). */
  readonly maxDocumentChars?: number;
  /** Turns text into a vector for `semantic.similar`; without it, only full-text search. */
  readonly embed?: Embedder;
  /** The clock that stamps records, in ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** The three layers over one database: `semantic`, `graph` and `history`. */
export class AgentMemory {
  readonly semantic: SemanticMemory;
  readonly graph: GraphMemory;
  readonly history: HistoryMemory;

  private constructor(db: SqlClient, options: AgentMemoryOptions) {
    const now = options.now ?? Date.now;
    this.semantic = new SemanticMemory(db, { now, maxDocumentChars: options.maxDocumentChars, embed: options.embed });
    this.graph = new GraphMemory(db, { now });
    this.history = new HistoryMemory(db, { now });
  }

  /** Applies the memory schema to `db` (idempotent) and returns the three layers over it. */
  static async open(db: SqlClient, options: AgentMemoryOptions = {}): Promise<AgentMemory> {
    await applySchema(db, MEMORY_SCHEMA);
    return new AgentMemory(db, options);
  }
}
