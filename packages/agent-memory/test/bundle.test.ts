// The resume bundle on PGlite and on the real server: what goes in and in which order, the
// budget, typed errors, and a property test over random memory contents, budgets and token
// counters (the default estimate and gpt-tokenizer's real BPE count).
import fc from 'fast-check';
import { countTokens as bpeTokens } from 'gpt-tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissionNotFound, SqlMissionStore, resume } from '@12-factor-agentops/mission-lifecycle';
import type { MissionStore } from '@12-factor-agentops/mission-lifecycle';
import { AgentMemory, BudgetTooSmall, InvalidMemoryInput, ResumeBundler, estimateTokens, fillBand } from '../src/index.ts';
import type { MemoryPointer, TokenCounter } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';

const worker = { worker: 'test', host: 'test-host', pid: process.pid };

describe('fill bands', () => {
  it('follow Factor II: under 20% optimal, to 35% good, to 40% soft line, then hard line', () => {
    expect([0, 0.199, 0.2, 0.349, 0.35, 0.399, 0.4, 1, 3].map(fillBand)).toEqual(['optimal', 'optimal', 'good', 'good', 'soft-line', 'soft-line', 'hard-line', 'hard-line', 'hard-line']);
  });

  it('the default estimate never counts fewer tokens than gpt-tokenizer on the fixture corpus', async () => {
    const { CORPUS } = await import('./support/fixtures.ts');
    for (const doc of CORPUS) {
      const text = `Document ${doc.id} (${doc.kind}): ${doc.title}\n${doc.body}`;
      expect(estimateTokens(text)).toBeGreaterThanOrEqual(bpeTokens(text));
    }
  });
});

describe.each(BACKENDS)('resume bundle (%s)', (kind) => {
  let backend: Backend;
  let memory: AgentMemory;
  let missions: MissionStore;
  let clock = 1_700_000_000_000;

  beforeAll(async () => {
    backend = await openBackend(kind);
    memory = await AgentMemory.open(backend.db, { now: () => clock });
    missions = await SqlMissionStore.open(backend.db);
  });
  afterAll(() => backend.close());

  it('carries the lifecycle state, open decisions, history newest first, documents and the neighbourhood, in that order', async () => {
    await missions.create('fix-latency', ['diagnose', 'change', 'verify'], clock);
    await resume('fix-latency', { store: missions, worker, steps: { diagnose: async () => {}, change: async () => {}, verify: async () => {} }, clock: { now: () => clock } });
    await memory.semantic.put({ id: 'rb-pool', kind: 'runbook', title: 'Connection pool exhausted', body: 'Terminate idle transactions; keep total pool size below the server limit.' });
    await memory.semantic.put({ id: 'dn-pooler', kind: 'design', title: 'Why a connection pooler', body: 'A pooler decouples instance count from server connections.' });
    await memory.semantic.put({ id: 'unrelated', title: 'Lunch', body: 'Soup on Fridays.' });
    await memory.graph.upsertEntity({ id: 'fix-latency', kind: 'mission', name: 'Fix checkout latency from connection pool exhaustion', source: 'ticket' });
    await memory.graph.upsertEntity({ id: 'svc-db', kind: 'service', name: 'Orders database', source: 'inventory' });
    await memory.graph.relate({ from: 'fix-latency', type: 'touches', to: 'svc-db', source: 'ticket' });
    const tried = await memory.history.append({ missionId: 'fix-latency', step: 'diagnose', actor: 'agent', kind: 'tried', summary: 'Raised pool size.', documentIds: ['rb-pool'] });
    clock += 1;
    const open = await memory.history.append({ missionId: 'fix-latency', actor: 'agent', kind: 'open', summary: 'Add a pooler?' });

    const bundle = await new ResumeBundler({ memory, missions, contextWindowTokens: 1_000 }).bundleFor('fix-latency', 2_000);
    expect(bundle.lifecycle).toEqual({ state: 'completed', steps: ['diagnose', 'change', 'verify'], done: ['diagnose', 'change', 'verify'], interrupted: [] });
    expect(bundle.text.startsWith('Mission fix-latency: state completed.')).toBe(true);
    expect(bundle.included.map((item) => `${item.layer}:${item.id}`)).toEqual([`decision:${open.seq}`, `history:${tried.seq}`, 'document:rb-pool', 'document:dn-pooler', 'entity:svc-db']);
    expect(bundle.omitted).toEqual([]);
    expect(bundle.tokens).toBe(estimateTokens(bundle.text));
    expect(bundle.fill).toBeCloseTo(bundle.tokens / 1_000, 10);
    expect(bundle.band).toBe(fillBand(bundle.fill));

    // A small budget keeps the most important items and lists the rest by id.
    const small = await new ResumeBundler({ memory, missions }).bundleFor('fix-latency', 90);
    expect(small.tokens).toBeLessThanOrEqual(90);
    expect(small.included.map((item) => item.layer)).toEqual(['decision']);
    expect(small.omitted.map((p) => `${p.layer}:${p.id}`)).toEqual([`history:${tried.seq}`, 'document:rb-pool', 'document:dn-pooler', 'entity:svc-db']);
    expect(small.text).toContain(`Left out (fetch by id): history #${tried.seq}, document rb-pool, document dn-pooler, entity svc-db.`);
  });

  it('refuses a budget that is not a whole number ≥ 1, one too small for the lifecycle state, an unknown mission, and a counter that answers nonsense', async () => {
    const bundler = new ResumeBundler({ memory, missions });
    for (const budget of [0, -5, 1.5, Number.NaN, Infinity]) {
      await expect(bundler.bundleFor('fix-latency', budget)).rejects.toThrow(InvalidMemoryInput);
    }
    await expect(bundler.bundleFor('fix-latency', 0)).rejects.toThrow('budgetTokens: must be a whole number from 1 to 100000000, got 0');
    const error = await bundler.bundleFor('fix-latency', 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetTooSmall);
    expect(error).toMatchObject({ budgetTokens: 10, missionId: 'fix-latency' });
    await expect(bundler.bundleFor('no-such-mission', 1_000)).rejects.toBeInstanceOf(MissionNotFound);
    for (const nonsense of [() => Number.NaN, () => -1, () => 2.5, () => '3' as unknown as number]) {
      await expect(new ResumeBundler({ memory, missions, countTokens: nonsense }).bundleFor('fix-latency', 1_000)).rejects.toThrow('countTokens: must return a whole number ≥ 0');
    }
  });

  it('never exceeds its budget, always carries the lifecycle state, and lists every item left out by id (random contents, budgets, counters)', async () => {
    let run = 0;
    const counters: Record<string, TokenCounter> = { estimate: estimateTokens, bpe: bpeTokens };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          documents: fc.array(fc.record({ words: fc.integer({ min: 1, max: 300 }), referenced: fc.boolean() }), { maxLength: 8 }),
          records: fc.array(fc.record({ kind: fc.constantFrom('tried', 'decided', 'observed', 'open' as const), words: fc.integer({ min: 1, max: 80 }) }), { maxLength: 8 }),
          entities: fc.array(fc.nat(3), { maxLength: 6 }),
          budget: fc.integer({ min: 1, max: 3_000 }),
          counter: fc.constantFrom('estimate', 'bpe'),
        }),
        async ({ documents, records, entities, budget, counter }) => {
          const mission = `prop-${kind}-${++run}`;
          await missions.create(mission, ['a', 'b'], clock);
          const words = (n: number, seed: number): string => Array.from({ length: n }, (_, i) => ['pool', 'latency', 'disk', 'cache', 'lease', 'deploy', 'rollback'][(i + seed) % 7]).join(' ');
          const docIds = documents.map((_, i) => `${mission}-doc-${i}`);
          for (const [i, doc] of documents.entries()) await memory.semantic.put({ id: docIds[i] ?? '', title: `Note ${i}`, body: words(doc.words, i) });
          await memory.graph.upsertEntity({ id: mission, kind: 'mission', name: `Mission about pool latency ${run}`, source: 'prop' });
          for (const [i, hop] of entities.entries()) {
            const entity = `${mission}-e${i}`;
            await memory.graph.upsertEntity({ id: entity, kind: 'service', name: words(5, i), source: 'prop' });
            const parent = i === 0 || hop === 0 ? mission : `${mission}-e${Math.max(0, i - hop)}`;
            await memory.graph.relate({ from: parent, type: 'touches', to: entity, source: 'prop' });
          }
          const referenced = docIds.filter((_, i) => documents[i]?.referenced);
          for (const [i, record] of records.entries()) {
            await memory.history.append({ missionId: mission, actor: 'agent', kind: record.kind, summary: words(record.words, i), documentIds: referenced.slice(0, i + 1) });
          }

          const count = counters[counter] ?? estimateTokens;
          const bundler = new ResumeBundler({ memory, missions, countTokens: count, documents: 5 });
          const lifecycle = `Mission ${mission}: state pending.`;
          let bundle;
          try {
            bundle = await bundler.bundleFor(mission, budget);
          } catch (error) {
            expect(error).toBeInstanceOf(BudgetTooSmall);
            expect((error as BudgetTooSmall).neededTokens).toBeGreaterThan(budget);
            return;
          }
          expect(bundle.tokens).toBeLessThanOrEqual(budget);
          expect(count(bundle.text)).toBe(bundle.tokens);
          expect(bundle.text.startsWith(lifecycle)).toBe(true);
          expect(bundle.lifecycle.state).toBe('pending');

          // Every candidate is either included or listed as omitted, never both.
          const key = (p: MemoryPointer): string => `${p.layer}:${p.id}`;
          const inIds = bundle.included.map(key);
          const outIds = bundle.omitted.map(key);
          expect(new Set([...inIds, ...outIds]).size).toBe(inIds.length + outIds.length);
          const history = (await memory.history.current(mission)).map((r) => String(r.seq));
          expect([...inIds, ...outIds].filter((k) => k.startsWith('decision:') || k.startsWith('history:')).map((k) => k.split(':')[1]).sort()).toEqual([...history].sort());
          const near = (await memory.graph.neighbourhood(mission, { depth: 2 })).entities.filter((e) => e.depth > 0).map((e) => `entity:${e.id}`);
          expect([...inIds, ...outIds].filter((k) => k.startsWith('entity:')).sort()).toEqual([...near].sort());
          // Each record refers to a prefix of `referenced`, so the history's first five are its first five.
          for (const id of referenced.slice(0, Math.min(records.length, 5))) expect([...inIds, ...outIds]).toContain(`document:${id}`);
          // Included items are in the text; when the list of ids left out fitted whole, each is named in it.
          for (const item of bundle.included) expect(bundle.text).toContain(item.text);
          if (bundle.omitted.length > 0 && !/and \d+ more\.$/.test(bundle.text) && bundle.text.includes('Left out')) {
            for (const p of bundle.omitted) expect(bundle.text).toContain(p.layer === 'decision' || p.layer === 'history' ? `${p.layer} #${p.id}` : `${p.layer} ${p.id}`);
          }
        },
      ),
      { numRuns: kind === 'pglite' ? 40 : 15 },
    );
  });
});
