import { sqlState } from '@12-factor-agentops/sql';
import type { SqlExecutor } from '@12-factor-agentops/sql';
import { DEFAULT_NEIGHBOURHOOD_DEPTH, MAX_GRAPH_DEPTH } from './defaults.ts';
import { InvalidMemoryInput, UnknownEntity } from './errors.ts';
import { checkId, checkInteger, checkText, checkTime } from './validate.ts';

/** Something the agent knows about: an agent, mission, service, incident, decision … */
export interface Entity {
  readonly id: string;
  /** `agent`, `mission`, `service`, `incident`, `decision`, or any kind of the caller's. */
  readonly kind: string;
  readonly name: string;
  /** Provenance: where this came from (a document id, a tool, a person's role). */
  readonly source: string;
}

/** A typed, directed relation between two entities, with its provenance. */
export interface Relation {
  readonly from: string;
  /** `depends_on`, `caused`, `owns`, `works_on`, `decided` … */
  readonly type: string;
  readonly to: string;
  readonly source: string;
}

/** The entities within `depth` relations of a start (either direction), and the relations among them. */
export interface Neighbourhood {
  readonly entities: readonly (Entity & { readonly depth: number })[];
  readonly relations: readonly Relation[];
}

const TYPE = /^[a-z][a-z0-9_]{0,59}$/;

// #region neighbourhood
// One step from an entity, in either direction: the relations out of it and into it, each by
// its own index.
const STEP = `SELECT to_id AS next FROM memory_relations WHERE from_id = walk.id
              UNION ALL SELECT from_id FROM memory_relations WHERE to_id = walk.id`;

// Breadth-first by recursive SQL. UNION (not UNION ALL) keeps one row per (entity, depth), so
// a cycle adds no rows once its entities are reached, and depth < $2 ends the walk.
const NEIGHBOURHOOD = `
  WITH RECURSIVE walk(id, depth) AS (
    SELECT id, 0 FROM memory_entities WHERE id = $1
    UNION
    SELECT step.next, walk.depth + 1
    FROM walk CROSS JOIN LATERAL (${STEP}) AS step
    WHERE walk.depth < $2
  )
  SELECT e.id, e.kind, e.name, e.source, min(walk.depth) AS depth
  FROM walk JOIN memory_entities e ON e.id = walk.id
  GROUP BY e.id
  ORDER BY depth, e.id`;
// #endregion neighbourhood

// The shortest path: distances from the start as above, then a walk back from the target,
// each step to a neighbour one closer to the start (the smallest id on ties).
const PATH = `
  WITH RECURSIVE walk(id, depth) AS (
    SELECT id, 0 FROM memory_entities WHERE id = $1
    UNION
    SELECT step.next, walk.depth + 1
    FROM walk CROSS JOIN LATERAL (${STEP}) AS step
    WHERE walk.depth < $3
  ),
  distance AS (SELECT id, min(depth) AS depth FROM walk GROUP BY id),
  back(id, depth, from_id, type, to_id) AS (
    SELECT id, depth, NULL::text, NULL::text, NULL::text FROM distance WHERE id = $2
    UNION ALL
    SELECT hop.previous, back.depth - 1, hop.from_id, hop.type, hop.to_id
    FROM back CROSS JOIN LATERAL (
      SELECT d.id AS previous, r.from_id, r.type, r.to_id
      FROM memory_relations r
      JOIN distance d ON d.id = CASE WHEN r.to_id = back.id THEN r.from_id ELSE r.to_id END
      WHERE (r.from_id = back.id OR r.to_id = back.id) AND d.depth = back.depth - 1
      ORDER BY d.id, r.type, r.from_id
      LIMIT 1
    ) AS hop
    WHERE back.depth > 0
  )
  SELECT r.from_id, r.type, r.to_id, r.source
  FROM back JOIN memory_relations r ON (r.from_id, r.type, r.to_id) = (back.from_id, back.type, back.to_id)
  ORDER BY back.depth`;

/** The graph layer: entities and typed relations with provenance. */
export class GraphMemory {
  readonly #db: SqlExecutor;
  readonly #now: () => number;

  constructor(db: SqlExecutor, options: { readonly now: () => number }) {
    this.#db = db;
    this.#now = options.now;
  }

  /** Adds an entity, or replaces the kind, name and source of the one with this id. */
  async upsertEntity(entity: Entity): Promise<void> {
    const id = checkId('entity.id', entity?.id);
    const kind = checkKind('entity.kind', entity.kind);
    const name = checkText('entity.name', entity.name, 500);
    const source = checkText('entity.source', entity.source, 500);
    const at = checkTime('now()', this.#now());
    await this.#db.query(
      `INSERT INTO memory_entities (id, kind, name, source, recorded_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET kind = $2, name = $3, source = $4, recorded_at = $5`,
      [id, kind, name, source, at],
    );
  }

  /**
   * Records `from —type→ to` (again: updates its source). Both entities must exist, or
   * `UnknownEntity` names the missing one and nothing is written.
   */
  async relate(relation: Relation): Promise<void> {
    const from = checkId('relation.from', relation?.from);
    const to = checkId('relation.to', relation.to);
    const type = checkKind('relation.type', relation.type);
    const source = checkText('relation.source', relation.source, 500);
    const at = checkTime('now()', this.#now());
    try {
      await this.#db.query(
        `INSERT INTO memory_relations (from_id, type, to_id, source, recorded_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (from_id, type, to_id) DO UPDATE SET source = $4, recorded_at = $5`,
        [from, type, to, source, at],
      );
    } catch (error) {
      if (sqlState(error) !== '23503') throw error;
      const { rows } = await this.#db.query<{ id: string }>('SELECT id FROM memory_entities WHERE id = ANY($1::text[])', [[from, to]]);
      const known = new Set(rows.map((row) => row.id));
      throw known.has(from) ? new UnknownEntity(to, 'relation.to') : new UnknownEntity(from, 'relation.from');
    }
  }

  /** The entity with this id, or `undefined`. */
  async entity(id: string): Promise<Entity | undefined> {
    const { rows } = await this.#db.query<{ id: string; kind: string; name: string; source: string }>('SELECT id, kind, name, source FROM memory_entities WHERE id = $1', [checkId('id', id)]);
    return rows[0];
  }

  /**
   * The entities within `depth` relations of `id`, following relations in either direction,
   * each with its distance, and the relations among them. Empty if `id` is unknown.
   */
  async neighbourhood(id: string, options: { readonly depth?: number } = {}): Promise<Neighbourhood> {
    const start = checkId('id', id);
    const depth = checkInteger('depth', options.depth ?? DEFAULT_NEIGHBOURHOOD_DEPTH, 0, MAX_GRAPH_DEPTH);
    const found = await this.#db.query<{ id: string; kind: string; name: string; source: string; depth: number }>(NEIGHBOURHOOD, [start, depth]);
    const entities = found.rows.map((row) => ({ id: row.id, kind: row.kind, name: row.name, source: row.source, depth: Number(row.depth) }));
    const ids = entities.map((entity) => entity.id);
    const relations = await this.#db.query<{ from_id: string; type: string; to_id: string; source: string }>(
      `SELECT from_id, type, to_id, source FROM memory_relations
       WHERE from_id = ANY($1::text[]) AND to_id = ANY($1::text[]) ORDER BY from_id, type, to_id`,
      [ids],
    );
    return { entities, relations: relations.rows.map(toRelation) };
  }

  /**
   * A shortest chain of relations linking `from` to `to` (each relation may be followed either
   * way), at most `maxDepth` long; `[]` when from = to, `undefined` when there is none.
   */
  async path(from: string, to: string, options: { readonly maxDepth?: number } = {}): Promise<Relation[] | undefined> {
    const start = checkId('from', from);
    const end = checkId('to', to);
    const maxDepth = checkInteger('maxDepth', options.maxDepth ?? MAX_GRAPH_DEPTH, 0, MAX_GRAPH_DEPTH);
    if (start === end) return (await this.entity(start)) ? [] : undefined;
    const { rows } = await this.#db.query<{ from_id: string; type: string; to_id: string; source: string }>(PATH, [start, end, maxDepth]);
    return rows.length === 0 ? undefined : rows.map(toRelation);
  }

  /** Every entity id, in order. */
  async ids(): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>('SELECT id FROM memory_entities ORDER BY id');
    return rows.map((row) => row.id);
  }
}

function toRelation(row: { from_id: string; type: string; to_id: string; source: string }): Relation {
  return { from: row.from_id, type: row.type, to: row.to_id, source: row.source };
}

function checkKind(field: string, value: unknown): string {
  const text = checkText(field, value, 60);
  if (!TYPE.test(text)) throw new InvalidMemoryInput(field, `"${text}" is not a kind: use lower-case letters, digits and _, starting with a letter`);
  return text;
}
