// Property tests of the graph queries on random graphs (self-loops, parallel relations of
// different types, cycles), on PGlite and on the real server, against a breadth-first search
// in JavaScript: the neighbourhood is exactly the entities within the depth, each at its
// shortest distance; a path found exists, is shortest and respects maxDepth; none is
// reported when none exists within it; and every query terminates, cycles included.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentMemory, MAX_GRAPH_DEPTH } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';

const TYPES = ['depends_on', 'caused', 'owns'] as const;

const graphs = fc
  .integer({ min: 1, max: 12 })
  .chain((size) =>
    fc.record({
      size: fc.constant(size),
      edges: fc.uniqueArray(fc.tuple(fc.nat(size - 1), fc.constantFrom(...TYPES), fc.nat(size - 1)), {
        maxLength: 30,
        selector: ([from, type, to]) => `${from} ${type} ${to}`,
      }),
      start: fc.nat(size - 1),
      end: fc.nat(size - 1),
      depth: fc.integer({ min: 0, max: MAX_GRAPH_DEPTH }),
    }),
  );

/** Shortest distances from `start`, relations followed either way, up to `depth`. */
function distances(size: number, edges: readonly (readonly [number, string, number])[], start: number, depth: number): Map<number, number> {
  const adjacent = Array.from({ length: size }, () => new Set<number>());
  for (const [from, , to] of edges) {
    adjacent[from]?.add(to);
    adjacent[to]?.add(from);
  }
  const seen = new Map([[start, 0]]);
  let frontier = [start];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: number[] = [];
    for (const node of frontier) {
      for (const neighbour of adjacent[node] ?? []) {
        if (!seen.has(neighbour)) {
          seen.set(neighbour, d);
          next.push(neighbour);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

const name = (n: number): string => `e${n}`;

describe.each(BACKENDS)('graph queries on random graphs (%s)', (kind) => {
  let backend: Backend;
  let memory: AgentMemory;
  beforeAll(async () => {
    backend = await openBackend(kind);
    memory = await AgentMemory.open(backend.db, { now: () => 0 });
  });
  afterAll(() => backend.close());

  it('neighbourhoods and paths match breadth-first search, and every query ends', async () => {
    await fc.assert(
      fc.asyncProperty(graphs, async ({ size, edges, start, end, depth }) => {
        await backend.db.query('DELETE FROM memory_relations');
        await backend.db.query('DELETE FROM memory_entities');
        for (let n = 0; n < size; n++) await memory.graph.upsertEntity({ id: name(n), kind: 'service', name: `service ${n}`, source: 'property' });
        for (const [from, type, to] of edges) await memory.graph.relate({ from: name(from), type, to: name(to), source: 'property' });
        const stored = new Set(edges.map(([from, type, to]) => `${name(from)} ${type} ${name(to)}`));

        const expected = distances(size, edges, start, depth);
        const near = await memory.graph.neighbourhood(name(start), { depth });
        expect(new Map(near.entities.map((e) => [e.id, e.depth]))).toEqual(new Map([...expected].map(([n, d]) => [name(n), d])));
        for (const entity of near.entities) expect(entity.depth).toBeLessThanOrEqual(depth);
        for (const relation of near.relations) expect(stored.has(`${relation.from} ${relation.type} ${relation.to}`)).toBe(true);

        const path = await memory.graph.path(name(start), name(end), { maxDepth: depth });
        const shortest = expected.get(end);
        if (shortest === undefined) {
          expect(path).toBeUndefined();
          return;
        }
        expect(path).toHaveLength(shortest);
        let at = name(start);
        for (const relation of path ?? []) {
          expect(stored.has(`${relation.from} ${relation.type} ${relation.to}`)).toBe(true);
          expect([relation.from, relation.to]).toContain(at);
          at = relation.from === at ? relation.to : relation.from;
        }
        expect(at).toBe(name(end));
      }),
      { numRuns: kind === 'pglite' ? 60 : 30 },
    );
  });
});
