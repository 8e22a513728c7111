// One conformance suite for the three layers, on PGlite and on the real server: what each
// stores and returns, and every kind of bad input refused with a typed error and nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentMemory, InvalidMemoryInput, UnknownEntity, UnknownRecord } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';
import { hashingEmbedder } from './support/embedder.ts';

describe.each(BACKENDS)('the three layers (%s)', (kind) => {
  let backend: Backend;
  let memory: AgentMemory;
  let clock = 1_700_000_000_000;
  const count = async (table: string): Promise<number> =>
    Number((await backend.db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);

  beforeAll(async () => {
    backend = await openBackend(kind);
    memory = await AgentMemory.open(backend.db, { now: () => clock, embed: hashingEmbedder, maxDocumentChars: 2_000 });
    // Opening again is harmless: the schema is applied once.
    await AgentMemory.open(backend.db);
  });
  afterAll(() => backend.close());

  describe('semantic', () => {
    it('stores, replaces and finds documents, title words ranking above body words', async () => {
      await memory.semantic.put({ id: 'doc-a', kind: 'runbook', title: 'Rotate the signing key', body: 'Create a new key, deploy it, then revoke the old one.' });
      await memory.semantic.put({ id: 'doc-b', title: 'Deploy checklist', body: 'Before rotating anything, check the signing service is healthy.' });
      await memory.semantic.put({ id: 'doc-c', title: 'Unrelated', body: 'Lunch menu for Friday.' });
      expect(await memory.semantic.get('doc-b')).toEqual({ id: 'doc-b', kind: 'note', title: 'Deploy checklist', body: 'Before rotating anything, check the signing service is healthy.' });

      const hits = await memory.semantic.search('rotating signing keys');
      expect(hits.map((hit) => hit.id)).toEqual(['doc-a', 'doc-b']);
      expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Infinity);

      await memory.semantic.put({ id: 'doc-c', title: 'Signing key ceremony', body: 'Rotate keys with two people present.' });
      expect((await memory.semantic.get('doc-c'))?.title).toBe('Signing key ceremony');
      expect((await memory.semantic.search('ceremony')).map((hit) => hit.id)).toEqual(['doc-c']);
      expect(await memory.semantic.search('lunch')).toEqual([]);
    });

    it('reads tsquery syntax in a query as words, never as an error', async () => {
      for (const query of ["signing & | ! ( ) : * <-> '", "key') OR 1=1 --", '!!!', '"signing key"', 'signing -ceremony', '\\', 'key:*A', 'or', 'the and of']) {
        const hits = await memory.semantic.search(query);
        expect(Array.isArray(hits)).toBe(true);
      }
      expect((await memory.semantic.search('"signing key"')).map((hit) => hit.id)).toContain('doc-a');
      expect(await memory.semantic.search('the and of')).toEqual([]);
    });

    it('never returns a document with an excluded word (-word), whether it matches every word or only some', async () => {
      await memory.semantic.put({ id: 'ex-1', title: 'Disk full on a build node', body: 'Free space by pruning old images.' });
      await memory.semantic.put({ id: 'ex-2', title: 'Disk cache tuning', body: 'Size the page cache before the disk fills.' });
      await memory.semantic.put({ id: 'ex-3', title: 'Network cache', body: 'A proxy keeps recent responses.' });
      await memory.semantic.put({ id: 'ex-4', title: 'Pruning images', body: 'Old images go first; the disk is not touched otherwise.' });
      const ids = async (query: string): Promise<string[]> => (await memory.semantic.search(query, { limit: 20 })).map((hit) => hit.id);
      // Full match: every positive word; partial match: some of them; neither may contain "cache".
      expect(await ids('disk -cache')).toEqual(expect.arrayContaining(['ex-1', 'ex-4']));
      for (const query of ['disk -cache', 'disk pruning -cache', '"disk full" images -cache -proxy']) {
        const found = await ids(query);
        expect(found.length, query).toBeGreaterThan(0);
        expect(found.filter((id) => id === 'ex-2' || id === 'ex-3'), query).toEqual([]);
      }
      // Only exclusions: websearch semantics, every document without the word.
      expect(await ids('-cache')).not.toContain('ex-2');
    });

    it('finds documents by cosine similarity over real[] with an injected embedder, as computed in JavaScript', async () => {
      const query = 'Signing key ceremony. Rotate keys with two people present.';
      const hits = await memory.semantic.similar(query);
      expect(hits[0]?.id).toBe('doc-c');
      expect(hits[0]?.score).toBeCloseTo(1, 5);
      const q = await hashingEmbedder(query);
      for (const hit of hits) {
        const doc = await memory.semantic.get(hit.id);
        const d = await hashingEmbedder(`${doc?.title}\n${doc?.body}`);
        const dot = q.reduce((sum, x, i) => sum + x * (d[i] ?? 0), 0);
        const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
        expect(hit.score).toBeCloseTo(dot / (norm(q) * norm(d)), 6);
      }
      expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a));
    });

    it('refuses an empty, oversized or malformed document and writes nothing', async () => {
      const before = await count('memory_documents');
      const bad: [unknown, string][] = [
        [{ id: 'x1', title: 'T', body: '' }, 'document.body: is empty'],
        [{ id: 'x2', title: 'T', body: '   \n' }, 'document.body: is empty'],
        [{ id: 'x3', title: 'T', body: 'a'.repeat(2_001) }, 'document.body: is 2001 characters; the limit is 2000'],
        [{ id: 'x4', title: '', body: 'b' }, 'document.title: is empty'],
        [{ id: '', title: 'T', body: 'b' }, 'document.id: "" is not an id'],
        [{ id: 'has space', title: 'T', body: 'b' }, 'document.id: "has space" is not an id'],
        [{ id: 'x5', title: 'T', body: 'nul \u0000 here' }, 'document.body: contains a NUL character'],
        [{ id: 42, title: 'T', body: 'b' }, 'document.id: must be a string id, got 42'],
        [null, 'document.id: must be a string id, got undefined'],
      ];
      for (const [document, message] of bad) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately ill-typed input
        const error = await memory.semantic.put(document as any).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidMemoryInput);
        expect((error as Error).message).toContain(message);
      }
      await expect(memory.semantic.search('')).rejects.toThrow('query: is empty');
      await expect(memory.semantic.search('key', { limit: 0 })).rejects.toThrow('limit: must be a whole number from 1 to 1000, got 0');
      await expect(memory.semantic.search('key', { limit: Number.NaN })).rejects.toThrow(InvalidMemoryInput);
      expect(await count('memory_documents')).toBe(before);
    });
  });

  describe('graph', () => {
    beforeAll(async () => {
      const entities = [
        ['agent-triage', 'agent', 'Triage agent'],
        ['mission-7', 'mission', 'Fix checkout latency'],
        ['svc-checkout', 'service', 'Checkout'],
        ['svc-db', 'service', 'Orders database'],
        ['inc-12', 'incident', 'Checkout timeouts'],
        ['dec-3', 'decision', 'Add a connection pooler'],
      ] as const;
      for (const [id, entityKind, name] of entities) await memory.graph.upsertEntity({ id, kind: entityKind, name, source: 'test' });
      const relations = [
        ['agent-triage', 'works_on', 'mission-7'],
        ['mission-7', 'investigates', 'inc-12'],
        ['inc-12', 'affects', 'svc-checkout'],
        ['svc-checkout', 'depends_on', 'svc-db'],
        ['mission-7', 'decided', 'dec-3'],
        ['dec-3', 'changes', 'svc-db'],
        ['svc-db', 'depends_on', 'svc-db'],
      ] as const;
      for (const [from, type, to] of relations) await memory.graph.relate({ from, type, to, source: 'postmortem pm-pool-deploy' });
    });

    it('returns the neighbourhood within a depth, each entity at its shortest distance, with provenance', async () => {
      const near = await memory.graph.neighbourhood('mission-7', { depth: 1 });
      expect(near.entities.map((e) => [e.id, e.depth])).toEqual([['mission-7', 0], ['agent-triage', 1], ['dec-3', 1], ['inc-12', 1]]);
      expect(near.relations).toContainEqual({ from: 'mission-7', type: 'decided', to: 'dec-3', source: 'postmortem pm-pool-deploy' });
      const far = await memory.graph.neighbourhood('mission-7', { depth: 2 });
      expect(far.entities.find((e) => e.id === 'svc-db')?.depth).toBe(2);
      expect(far.entities.find((e) => e.id === 'svc-checkout')?.depth).toBe(2);
      expect((await memory.graph.neighbourhood('nobody')).entities).toEqual([]);
    });

    it('finds a shortest path, following relations either way, within maxDepth', async () => {
      const path = await memory.graph.path('agent-triage', 'svc-db');
      expect(path?.map((r) => `${r.from} ${r.type} ${r.to}`)).toEqual(['agent-triage works_on mission-7', 'mission-7 decided dec-3', 'dec-3 changes svc-db']);
      expect(await memory.graph.path('agent-triage', 'svc-db', { maxDepth: 2 })).toBeUndefined();
      expect(await memory.graph.path('svc-db', 'svc-db')).toEqual([]);
      expect(await memory.graph.path('nobody', 'nobody')).toBeUndefined();
    });

    it('refuses a relation to an unknown entity, naming it, and writes nothing', async () => {
      const before = await count('memory_relations');
      const error = await memory.graph.relate({ from: 'mission-7', type: 'touches', to: 'svc-ghost', source: 'test' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownEntity);
      expect(error).toMatchObject({ entityId: 'svc-ghost', field: 'relation.to' });
      await expect(memory.graph.relate({ from: 'ghost', type: 'touches', to: 'mission-7', source: 'test' })).rejects.toMatchObject({ entityId: 'ghost', field: 'relation.from' });
      await expect(memory.graph.relate({ from: 'mission-7', type: 'Bad Type', to: 'svc-db', source: 'test' })).rejects.toThrow('relation.type: "Bad Type" is not a kind');
      await expect(memory.graph.neighbourhood('mission-7', { depth: 7 })).rejects.toThrow('depth: must be a whole number from 0 to 6, got 7');
      await expect(memory.graph.neighbourhood('mission-7', { depth: -1 })).rejects.toThrow(InvalidMemoryInput);
      expect(await count('memory_relations')).toBe(before);
    });
  });

  describe('history', () => {
    it('appends records, corrections point at the old record, and open decisions close when resolved', async () => {
      const tried = await memory.history.append({ missionId: 'mission-7', step: 'diagnose', actor: 'agent-triage', kind: 'tried', summary: 'Raised the pool size to 50.', reason: 'Timeouts waiting for connections.', documentIds: ['rb-pool-exhausted'], entityIds: ['svc-db'] });
      clock += 1_000;
      const open = await memory.history.append({ missionId: 'mission-7', actor: 'agent-triage', kind: 'open', summary: 'Pooler or smaller pools per instance?' });
      const fix = await memory.history.append({ missionId: 'mission-7', actor: 'agent-triage', kind: 'tried', summary: 'Raised the pool size to 40.', corrects: tried.seq, reason: 'The first record had the wrong number.' });
      expect(tried).toMatchObject({ missionId: 'mission-7', step: 'diagnose', kind: 'tried', documentIds: ['rb-pool-exhausted'], entityIds: ['svc-db'], recordedAt: 1_700_000_000_000 });
      expect(fix.seq).toBeGreaterThan(open.seq);

      expect((await memory.history.forMission('mission-7')).map((r) => r.seq)).toEqual([tried.seq, open.seq, fix.seq]);
      expect((await memory.history.current('mission-7')).map((r) => r.seq)).toEqual([open.seq, fix.seq]);
      expect((await memory.history.openDecisions('mission-7')).map((r) => r.seq)).toEqual([open.seq]);

      await memory.history.append({ missionId: 'mission-7', actor: 'lead', kind: 'decided', summary: 'Add a pooler.', reason: 'Instance counts change with launches.', resolves: open.seq, entityIds: ['dec-3'] });
      expect(await memory.history.openDecisions('mission-7')).toEqual([]);
    });

    it('is append-only: the database refuses UPDATE and DELETE of a record', async () => {
      await expect(backend.db.query("UPDATE memory_history SET summary = 'rewritten'")).rejects.toThrow('memory_history is append-only: UPDATE refused');
      await expect(backend.db.query('DELETE FROM memory_history')).rejects.toThrow('memory_history is append-only: DELETE refused');
      expect((await memory.history.forMission('mission-7')).every((r) => r.summary !== 'rewritten')).toBe(true);
    });

    it('refuses a correction of an unknown record, and bad entries, writing nothing', async () => {
      const before = await count('memory_history');
      await expect(memory.history.append({ missionId: 'mission-7', actor: 'a', kind: 'decided', summary: 's', corrects: 999_999n })).rejects.toBeInstanceOf(UnknownRecord);
      await expect(memory.history.append({ missionId: 'mission-7', actor: 'a', kind: 'decided', summary: 's', resolves: 999_998n })).rejects.toThrow('no history record 999998');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately ill-typed input
      await expect(memory.history.append({ missionId: 'mission-7', actor: 'a', kind: 'guessed' as any, summary: 's' })).rejects.toThrow('entry.kind: must be one of tried, decided, observed, open, removed');
      await expect(memory.history.append({ missionId: 'mission-7', actor: 'a', kind: 'tried', summary: 's', documentIds: ['ok', 'not ok'] })).rejects.toThrow('entry.documentIds[1]: "not ok" is not an id');
      clock = Number.NaN;
      await expect(memory.history.append({ missionId: 'mission-7', actor: 'a', kind: 'tried', summary: 's' })).rejects.toThrow('now(): must be a finite, non-negative time');
      clock = 1_700_000_010_000;
      expect(await count('memory_history')).toBe(before);
    });
  });
});
