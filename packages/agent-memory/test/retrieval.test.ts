// Retrieval quality on the committed corpus (fixtures/, committed before any retrieval code):
// recall@5 and MRR over the judged queries, with full-text search against a naive substring
// baseline measured in the same test, on PGlite and on the real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentMemory } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';
import { CORPUS, QUERIES } from './support/fixtures.ts';
import type { FixtureDocument, JudgedQuery } from './support/fixtures.ts';

const K = 5;

interface Scores {
  readonly recallAtK: number;
  readonly mrr: number;
}

/** Mean recall@k (share of a query's relevant documents in its top k) and mean reciprocal rank of the first relevant one. */
function score(results: readonly (readonly string[])[], queries: readonly JudgedQuery[]): Scores {
  let recall = 0;
  let reciprocal = 0;
  queries.forEach((query, index) => {
    const ranked = results[index] ?? [];
    const relevant = new Set(query.relevant);
    recall += ranked.slice(0, K).filter((id) => relevant.has(id)).length / relevant.size;
    const first = ranked.findIndex((id) => relevant.has(id));
    reciprocal += first === -1 ? 0 : 1 / (first + 1);
  });
  return { recallAtK: recall / queries.length, mrr: reciprocal / queries.length };
}

/**
 * The naive baseline: rank documents by how many of the query's words (3 letters or more,
 * lower-cased) occur as substrings of the title and body; ties by id.
 */
function substringBaseline(query: string, corpus: readonly FixtureDocument[]): string[] {
  const words = query.toLowerCase().split(/[^a-z0-9]+/).filter((word) => word.length >= 3);
  return corpus
    .map((doc) => {
      const text = `${doc.title} ${doc.body}`.toLowerCase();
      return { id: doc.id, hits: words.filter((word) => text.includes(word)).length };
    })
    .filter((doc) => doc.hits > 0)
    .sort((a, b) => b.hits - a.hits || a.id.localeCompare(b.id))
    .map((doc) => doc.id);
}

describe.each(BACKENDS)('retrieval on the fixture corpus (%s)', (kind) => {
  let backend: Backend;
  let memory: AgentMemory;
  beforeAll(async () => {
    backend = await openBackend(kind);
    memory = await AgentMemory.open(backend.db);
    for (const doc of CORPUS) await memory.semantic.put(doc);
  });
  afterAll(() => backend.close());

  it(`full text reaches recall@${K} ≥ 0.8 and MRR ≥ 0.6, and beats the substring baseline on both`, async () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(QUERIES.length).toBeGreaterThanOrEqual(20);
    const fullText: string[][] = [];
    for (const { query } of QUERIES) fullText.push((await memory.semantic.search(query, { limit: 10 })).map((hit) => hit.id));
    const baseline = QUERIES.map(({ query }) => substringBaseline(query, CORPUS));

    const text = score(fullText, QUERIES);
    const naive = score(baseline, QUERIES);
    console.log(`${kind}: full text recall@${K} ${text.recallAtK.toFixed(3)} MRR ${text.mrr.toFixed(3)}; substring recall@${K} ${naive.recallAtK.toFixed(3)} MRR ${naive.mrr.toFixed(3)}`);

    expect(text.recallAtK).toBeGreaterThanOrEqual(0.8);
    expect(text.mrr).toBeGreaterThanOrEqual(0.6);
    expect(text.recallAtK).toBeGreaterThan(naive.recallAtK);
    expect(text.mrr).toBeGreaterThan(naive.mrr);

    // For the record: websearch_to_tsquery alone (every word required), without the fallback to some words.
    const strict: string[][] = [];
    for (const { query } of QUERIES) {
      const { rows } = await backend.db.query<{ id: string }>(
        `SELECT id FROM memory_documents, websearch_to_tsquery('english', $1) AS q WHERE search @@ q ORDER BY ts_rank_cd(search, q) DESC, id LIMIT 10`,
        [query],
      );
      strict.push(rows.map((row) => row.id));
    }
    const every = score(strict, QUERIES);
    console.log(`${kind}: every word required: recall@${K} ${every.recallAtK.toFixed(3)} MRR ${every.mrr.toFixed(3)}`);
  });

  it('returns what ranking every matching document in one statement would (the second branch is only a shortcut)', async () => {
    for (const { query } of QUERIES) {
      const { rows } = await backend.db.query<{ id: string }>(
        `SELECT d.id FROM memory_documents d,
           (SELECT q AS q_all, replace(q::text, ' & ', ' | ')::tsquery AS q_any FROM websearch_to_tsquery('english', $1) AS q) AS q
         WHERE d.search @@ q.q_any ORDER BY d.search @@ q.q_all DESC, ts_rank_cd(d.search, q.q_any) DESC, d.id LIMIT 10`,
        [query],
      );
      expect((await memory.semantic.search(query, { limit: 10 })).map((hit) => hit.id)).toEqual(rows.map((row) => row.id));
    }
  });
});
