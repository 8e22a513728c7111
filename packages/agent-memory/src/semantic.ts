import type { SqlExecutor } from '@12-factor-agentops/sql';
import { DEFAULT_MAX_DOCUMENT_CHARS, DEFAULT_SEARCH_LIMIT } from './defaults.ts';
import { InvalidMemoryInput } from './errors.ts';
import { checkId, checkInteger, checkText, checkTime } from './validate.ts';

/** A document or note the agent can retrieve later. */
export interface MemoryDocument {
  readonly id: string;
  /** What it is: `runbook`, `postmortem`, `design`, `note` … (default `note'). */
  readonly kind?: string;
  readonly title: string;
  readonly body: string;
}

/** One search result: the document's id, title and kind, and its score (higher is better). */
export interface SearchHit {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly score: number;
}

/** Turns a text into a vector. Injected by the caller; the repository's tests use a deterministic stand-in. */
export type Embedder = (text: string) => Promise<readonly number[]>;

export interface SemanticOptions {
  readonly maxDocumentChars?: number | undefined;
  readonly embed?: Embedder | undefined;
  readonly now: () => number;
}

const MAX_QUERY_CHARS = 1_000;

// #region search
/**
 * Query text → two tsqueries. `all` is `websearch_to_tsquery` as PostgreSQL parses it (quoted
 * phrases, `or`, `-word`; it never fails on odd syntax). `any` ($3, from `partialMatchQuery`)
 * joins its positive clauses with OR and keeps every negated one, so a document with some of
 * the words is still found, one with an excluded word never is, and documents with all of them
 * rank first.
 */
const QUERIES = `SELECT q AS q_all, coalesce($3::tsquery, q) AS q_any
                 FROM websearch_to_tsquery('english', $1) AS q`;

const SEARCH = `
  WITH q AS (${QUERIES}),
  every_word AS (
    SELECT d.id, d.kind, d.title, ts_rank_cd(d.search, q.q_any) AS score
    FROM memory_documents d, q WHERE d.search @@ q.q_all
    ORDER BY score DESC, d.id LIMIT $2
  ),
  some_words AS (
    SELECT d.id, d.kind, d.title, ts_rank_cd(d.search, q.q_any) AS score
    FROM memory_documents d, q
    WHERE (SELECT count(*) FROM every_word) < $2
      AND $3::tsquery IS NOT NULL AND d.search @@ q.q_any AND NOT d.search @@ q.q_all
    ORDER BY score DESC, d.id LIMIT $2
  )
  SELECT id, kind, title, score FROM (
    SELECT *, 0 AS tier FROM every_word UNION ALL SELECT *, 1 FROM some_words
  ) AS hits
  ORDER BY tier, score DESC, id
  LIMIT $2`;
// #endregion search

/**
 * The text of a tsquery split at its top-level `&`: quoted lexemes (with `''` inside) and
 * parenthesised groups stay whole, so `'disk' <-> 'full' & !'cach'` gives the phrase and the
 * negation.
 */
export function topLevelClauses(query: string): string[] {
  const clauses: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let index = 0; index < query.length; index += 1) {
    const character = query[index];
    if (quoted) {
      if (character === "'" && query[index + 1] === "'") index += 1;
      else if (character === "'") quoted = false;
    } else if (character === "'") quoted = true;
    else if (character === '(') depth += 1;
    else if (character === ')') depth -= 1;
    else if (character === '&' && depth === 0) {
      clauses.push(query.slice(start, index).trim());
      start = index + 1;
    }
  }
  clauses.push(query.slice(start).trim());
  return clauses.filter((clause) => clause.length > 0);
}

/**
 * The tsquery (as text) of a partial match: any positive clause of `all`, and none of its
 * negated ones. Undefined when `all` has no positive clause (only exclusions, or only stop words).
 */
export function partialMatchQuery(all: string): string | undefined {
  const clauses = topLevelClauses(all);
  const positive = clauses.filter((clause) => !clause.startsWith('!'));
  if (positive.length === 0) return undefined;
  const any = positive.map((clause) => `( ${clause} )`).join(' | ');
  const negated = clauses.filter((clause) => clause.startsWith('!'));
  return negated.length === 0 ? any : [`( ${any} )`, ...negated].join(' & ');
}

// Cosine similarity in plain SQL over real[]: no extension needed.
const SIMILAR = `
  SELECT id, kind, title,
         (SELECT sum(a::float8 * b::float8) FROM unnest(embedding, $1::real[]) AS t(a, b))
           / nullif(sqrt((SELECT sum(a::float8 * a::float8) FROM unnest(embedding) AS a)) * $2::float8, 0) AS score
  FROM memory_documents
  WHERE embedding IS NOT NULL AND cardinality(embedding) = cardinality($1::real[])
  ORDER BY score DESC NULLS LAST, id
  LIMIT $3`;

/** The semantic layer: documents and notes, found by relevance. */
export class SemanticMemory {
  readonly #db: SqlExecutor;
  readonly #maxChars: number;
  readonly #embed: Embedder | undefined;
  readonly #now: () => number;

  constructor(db: SqlExecutor, options: SemanticOptions) {
    this.#db = db;
    this.#maxChars = options.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
    this.#embed = options.embed;
    this.#now = options.now;
  }

  /** Stores a document, replacing one with the same id. Refuses empty or oversized text before writing. */
  async put(document: MemoryDocument): Promise<void> {
    const id = checkId('document.id', document?.id);
    const kind = document.kind === undefined ? 'note' : checkText('document.kind', document.kind, 60);
    const title = checkText('document.title', document.title, 500);
    const body = checkText('document.body', document.body, this.#maxChars);
    const at = checkTime('now()', this.#now());
    const embedding = this.#embed ? checkVector('embed(document)', await this.#embed(`${title}\n${body}`)) : null;
    await this.#db.query(
      `INSERT INTO memory_documents (id, kind, title, body, embedding, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET kind = $2, title = $3, body = $4, embedding = $5, recorded_at = $6`,
      [id, kind, title, body, embedding, at],
    );
  }

  /** The document with this id, or `undefined`. */
  async get(id: string): Promise<(MemoryDocument & { readonly kind: string }) | undefined> {
    const { rows } = await this.#db.query<{ id: string; kind: string; title: string; body: string }>(
      'SELECT id, kind, title, body FROM memory_documents WHERE id = $1',
      [checkId('id', id)],
    );
    return rows[0];
  }

  /**
   * The documents most relevant to `query` by PostgreSQL full-text search, best first. Any text
   * is safe: tsquery operators in it are read as words or web-search syntax, never as errors.
   * A query with no searchable words (only stop words or punctuation) finds nothing.
   */
  async search(query: string, options: { readonly limit?: number } = {}): Promise<SearchHit[]> {
    const text = checkText('query', query, MAX_QUERY_CHARS);
    const limit = checkInteger('limit', options.limit ?? DEFAULT_SEARCH_LIMIT, 1, 1_000);
    const parsed = await this.#db.query<{ q: string }>("SELECT websearch_to_tsquery('english', $1)::text AS q", [text]);
    const partial = partialMatchQuery(parsed.rows[0]?.q ?? '');
    const { rows } = await this.#db.query<{ id: string; kind: string; title: string; score: number }>(SEARCH, [text, limit, partial ?? null]);
    return rows.map(({ id, kind, title, score }) => ({ id, kind, title, score: Number(score) }));
  }

  /** The documents whose embeddings are closest to the query's by cosine similarity. Needs `embed`. */
  async similar(query: string, options: { readonly limit?: number } = {}): Promise<SearchHit[]> {
    if (!this.#embed) throw new InvalidMemoryInput('embed', 'similar() needs an embedder: pass `embed` when opening the memory');
    const text = checkText('query', query, MAX_QUERY_CHARS);
    const limit = checkInteger('limit', options.limit ?? DEFAULT_SEARCH_LIMIT, 1, 1_000);
    const vector = checkVector('embed(query)', await this.#embed(text));
    const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
    if (norm === 0) return [];
    const { rows } = await this.#db.query<{ id: string; kind: string; title: string; score: number | null }>(SIMILAR, [vector, norm, limit]);
    return rows.filter((row) => row.score !== null).map(({ id, kind, title, score }) => ({ id, kind, title, score: Number(score) }));
  }

  /** Every stored document id, in order. */
  async ids(): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>('SELECT id FROM memory_documents ORDER BY id');
    return rows.map((row) => row.id);
  }
}

function checkVector(field: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 4_096) {
    throw new InvalidMemoryInput(field, 'must return a non-empty array of at most 4,096 numbers');
  }
  const vector = value.map(Number);
  if (!vector.every(Number.isFinite)) throw new InvalidMemoryInput(field, 'returned a value that is not a finite number');
  return vector;
}
