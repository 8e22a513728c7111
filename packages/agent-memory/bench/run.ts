// agent-memory's benchmark (`pnpm bench` at the root, or `pnpm --filter @12-factor-agentops/agent-memory bench`).
// On PGlite in memory and on a throwaway PostgreSQL server started here, one client each:
//   - full-text retrieval (the 27 fixture queries in turn) over 10,000 generated documents:
//     queries/s and p95 latency, against a bare `SELECT … WHERE id = $1` on the same table;
//   - graph neighbourhood queries at depth 3 over 100,000 relations (preferential attachment,
//     2 relations per new entity: mean degree 4, power-law degrees), against the same bare select;
//   - resume bundle assembly (budget 4,000 tokens) for a mission with history, documents and
//     a neighbourhood.
// Each figure runs for RUN_MS after one unmeasured round, RUNS times; medians are reported.
import { readFileSync } from 'node:fs';
import { SqlMissionStore } from '@12-factor-agentops/mission-lifecycle';
import { connect } from '@12-factor-agentops/sql';
import type { SqlClient } from '@12-factor-agentops/sql';
import { openTestPGlite, startPostgresServer } from '@12-factor-agentops/sql/testing';
import { AgentMemory, ResumeBundler } from '../src/index.ts';
import { seededRandom } from '@12-factor-agentops/core';

const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DOCUMENTS = 10_000;
const ENTITIES = 50_000;
const LINKS_PER_ENTITY = 2;

const corpus = JSON.parse(readFileSync(new URL('../fixtures/corpus.json', import.meta.url), 'utf8')) as { title: string; body: string }[];
const queries = (JSON.parse(readFileSync(new URL('../fixtures/queries.json', import.meta.url), 'utf8')) as { query: string }[]).map((q) => q.query);
const vocabulary = [...new Set(corpus.flatMap((doc) => `${doc.title} ${doc.body}`.toLowerCase().split(/[^a-z]+/)).filter((w) => w.length > 2))];


async function load(db: SqlClient): Promise<void> {
  const next = seededRandom(7);
  // Words drawn with a skew towards the start of the vocabulary (roughly Zipf-like).
  const word = (): string => vocabulary[Math.floor(vocabulary.length * next() ** 2)] ?? 'disk';
  for (let start = 0; start < DOCUMENTS; start += 1_000) {
    const ids: string[] = [];
    const titles: string[] = [];
    const bodies: string[] = [];
    for (let i = start; i < start + 1_000; i++) {
      ids.push(`gen-${i}`);
      titles.push(Array.from({ length: 4 }, word).join(' '));
      bodies.push(Array.from({ length: 40 + Math.floor(next() * 40) }, word).join(' '));
    }
    await db.query(
      `INSERT INTO memory_documents (id, kind, title, body, recorded_at) SELECT id, 'generated', title, body, 0 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, title, body)`,
      [ids, titles, bodies],
    );
  }
  // Preferential attachment: each new entity links to LINKS_PER_ENTITY earlier ones, chosen in
  // proportion to their degree (by picking a random endpoint of an existing relation).
  const endpoints: number[] = [0, 1];
  const from: string[] = ['e0'];
  const to: string[] = ['e1'];
  for (let n = 2; n < ENTITIES; n++) {
    const targets = new Set<number>();
    while (targets.size < Math.min(LINKS_PER_ENTITY, n)) targets.add(endpoints[Math.floor(next() * endpoints.length)] ?? 0);
    for (const target of targets) {
      from.push(`e${n}`);
      to.push(`e${target}`);
      endpoints.push(n, target);
    }
  }
  await db.query(`INSERT INTO memory_entities (id, kind, name, source, recorded_at) SELECT 'e' || i, 'service', 'service ' || i, 'bench', 0 FROM generate_series(0, ${ENTITIES - 1}) AS i`);
  for (let start = 0; start < from.length; start += 20_000) {
    await db.query(
      `INSERT INTO memory_relations (from_id, type, to_id, source, recorded_at) SELECT f, 'depends_on', t, 'bench', 0 FROM unnest($1::text[], $2::text[]) AS x(f, t)`,
      [from.slice(start, start + 20_000), to.slice(start, start + 20_000)],
    );
  }
  await db.query('ANALYZE');
}

/** Runs `work` in a loop for RUN_MS: operations per second and the 95th percentile latency in ms. */
async function loop(work: (i: number) => Promise<unknown>): Promise<{ perSecond: number; p95: number }> {
  await work(0);
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 1; performance.now() - started < RUN_MS; i++) {
    const t = performance.now();
    await work(i);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / ((performance.now() - started) / 1_000), p95: latencies[Math.floor(latencies.length * 0.95)] ?? Number.NaN };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

async function measure(label: string, db: SqlClient): Promise<void> {
  const memory = await AgentMemory.open(db);
  const missions = await SqlMissionStore.open(db);
  const loading = performance.now();
  await load(db);
  console.log(`${label}: loaded ${DOCUMENTS} documents, ${ENTITIES} entities, ${(ENTITIES - 2) * LINKS_PER_ENTITY + 1} relations in ${((performance.now() - loading) / 1_000).toFixed(1)} s`);
  const degrees = await db.query<{ max: number; mean: string }>(
    `SELECT max(d) AS max, avg(d)::numeric(6,2)::text AS mean FROM (SELECT id, (SELECT count(*) FROM memory_relations r WHERE r.from_id = e.id OR r.to_id = e.id)::int AS d FROM memory_entities e) AS x`,
  );
  console.log(`${label}: degree mean ${degrees.rows[0]?.mean}, max ${degrees.rows[0]?.max}`);

  await missions.create('bench-mission', ['a', 'b', 'c'], Date.now());
  await memory.graph.upsertEntity({ id: 'bench-mission', kind: 'mission', name: 'Connection pool exhausted after scaling', source: 'bench' });
  for (let i = 0; i < 8; i++) await memory.graph.relate({ from: 'bench-mission', type: 'touches', to: `e${i * 97}`, source: 'bench' });
  for (let i = 0; i < 20; i++) {
    await memory.history.append({ missionId: 'bench-mission', actor: 'bench', kind: i % 5 === 0 ? 'open' : 'tried', summary: `Step ${i}: tried a change to the pool size.`, documentIds: [`gen-${i}`] });
  }
  const bundler = new ResumeBundler({ memory, missions });
  const matches = await db.query<{ every: string; partial: string }>(
    `SELECT avg(every)::int::text AS every, avg(partial)::int::text AS partial FROM unnest($1::text[]) AS query,
       LATERAL (SELECT count(*) FILTER (WHERE search @@ q) AS every, count(*) FILTER (WHERE search @@ replace(q::text, ' & ', ' | ')::tsquery) AS partial
                FROM memory_documents, websearch_to_tsquery('english', query) AS q) AS counts`,
    [queries],
  );
  console.log(`${label}: a fixture query matches on average ${matches.rows[0]?.every} documents with every word, ${matches.rows[0]?.partial} with some`);
  const sizes: number[] = [];
  for (let i = 0; i < 50; i++) sizes.push((await memory.graph.neighbourhood(`e${1_000 + ((i * 7919) % (ENTITIES - 1_000))}`, { depth: 3 })).entities.length);
  console.log(`${label}: depth-3 neighbourhoods of the measured entities: median ${median(sizes)} entities, largest ${Math.max(...sizes)} (50 sampled)`);

  const cases: Record<string, (i: number) => Promise<unknown>> = {
    'bare SELECT … WHERE id = $1': (i) => db.query('SELECT id, title FROM memory_documents WHERE id = $1', [`gen-${(i * 7919) % DOCUMENTS}`]),
    'full-text search (top 5)': (i) => memory.semantic.search(queries[i % queries.length] ?? 'disk', { limit: 5 }),
    'neighbourhood, depth 3': (i) => memory.graph.neighbourhood(`e${1_000 + ((i * 7919) % (ENTITIES - 1_000))}`, { depth: 3 }),
    'resume bundle, 4,000 tokens': () => bundler.bundleFor('bench-mission', 4_000),
  };
  const results = new Map<string, { perSecond: number[]; p95: number[] }>();
  for (let run = 0; run < RUNS; run++) {
    for (const [name, work] of Object.entries(cases)) {
      const { perSecond, p95 } = await loop(work);
      const entry = results.get(name) ?? { perSecond: [], p95: [] };
      entry.perSecond.push(perSecond);
      entry.p95.push(p95);
      results.set(name, entry);
    }
  }
  const bare = median(results.get('bare SELECT … WHERE id = $1')?.perSecond ?? [1]);
  for (const [name, { perSecond, p95 }] of results) {
    const rate = median(perSecond);
    console.log(`${label}: ${name}: ${rate.toFixed(0)}/s, p95 ${median(p95).toFixed(2)} ms, ${(rate / bare).toFixed(3)} × the bare select (median of ${RUNS} runs of ${RUN_MS} ms)`);
  }
}

const pglite = await openTestPGlite();
try {
  await measure('PGlite', pglite);
} finally {
  await pglite.close();
}
const server = await startPostgresServer();
try {
  const db = await connect(server.url);
  try {
    await measure('server', db);
  } finally {
    await db.close();
  }
} finally {
  await server.stop();
}
