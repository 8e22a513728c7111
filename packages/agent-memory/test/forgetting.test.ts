// Forgetting and retention on PGlite and on the real server: a removed document or entity can
// no longer be found by any query of any layer, nor read from any table, while the history
// keeps the fact of its removal and nothing of its content; retention rules remove by age.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentMemory, InvalidMemoryInput, RETENTION_MISSION_ID } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';
import { hashingEmbedder } from './support/embedder.ts';

const SECRET = 'zanzibarquokka';

describe.each(BACKENDS)('forgetting and retention (%s)', (kind) => {
  let backend: Backend;
  let memory: AgentMemory;
  let clock = 1_700_000_000_000;

  /** Rows of every memory table whose text contains `needle`. */
  const rowsContaining = async (needle: string): Promise<number> => {
    let found = 0;
    for (const table of ['memory_documents', 'memory_entities', 'memory_relations', 'memory_history']) {
      const { rows } = await backend.db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${table} t WHERE t::text ILIKE $1`, [`%${needle}%`]);
      found += Number(rows[0]?.n);
    }
    return found;
  };

  beforeAll(async () => {
    backend = await openBackend(kind);
    memory = await AgentMemory.open(backend.db, { now: () => clock, embed: hashingEmbedder });
  });
  afterAll(() => backend.close());

  it('a forgotten document is gone from search, similarity, reads and every table; the history keeps only its id and the removal', async () => {
    await memory.semantic.put({ id: 'doc-secret', title: `Customer ${SECRET} escalation`, body: `Notes about ${SECRET} and their outage.` });
    await memory.semantic.put({ id: 'doc-other', title: 'Outage notes', body: 'General outage handling.' });
    await memory.history.append({ missionId: 'm-1', actor: 'agent', kind: 'observed', summary: 'Read the escalation notes.', documentIds: ['doc-secret'] });
    expect((await memory.semantic.search(SECRET)).map((hit) => hit.id)).toEqual(['doc-secret']);

    expect(await memory.forgetDocument('doc-secret', { actor: 'privacy-officer', reason: 'Deletion request 881.' })).toBe(true);

    expect(await memory.semantic.search(SECRET)).toEqual([]);
    expect((await memory.semantic.search('escalation outage')).map((hit) => hit.id)).toEqual(['doc-other']);
    expect((await memory.semantic.similar(`Customer ${SECRET} escalation notes`)).map((hit) => hit.id)).not.toContain('doc-secret');
    expect(await memory.semantic.get('doc-secret')).toBeUndefined();
    expect(await memory.semantic.ids()).toEqual(['doc-other']);
    expect(await rowsContaining(SECRET)).toBe(0);

    const removals = await memory.history.forMission(RETENTION_MISSION_ID);
    expect(removals).toHaveLength(1);
    expect(removals[0]).toMatchObject({ kind: 'removed', actor: 'privacy-officer', reason: 'Deletion request 881.', documentIds: ['doc-secret'], entityIds: [] });
    // Forgetting again finds nothing and records nothing.
    expect(await memory.forgetDocument('doc-secret', { actor: 'privacy-officer', reason: 'Again.' })).toBe(false);
    expect(await memory.history.forMission(RETENTION_MISSION_ID)).toHaveLength(1);
  });

  it('a forgotten entity is gone with its relations from neighbourhoods and paths', async () => {
    for (const id of ['a', 'hub', 'b']) await memory.graph.upsertEntity({ id, kind: 'person', name: id === 'hub' ? `Person ${SECRET}` : `Person ${id}`, source: 'test' });
    await memory.graph.relate({ from: 'a', type: 'knows', to: 'hub', source: 'test' });
    await memory.graph.relate({ from: 'hub', type: 'knows', to: 'b', source: 'test' });
    expect(await memory.graph.path('a', 'b')).toHaveLength(2);

    expect(await memory.forgetEntity('hub', { actor: 'privacy-officer', reason: 'Deletion request 882.' })).toBe(true);

    expect(await memory.graph.entity('hub')).toBeUndefined();
    expect(await memory.graph.path('a', 'b')).toBeUndefined();
    expect((await memory.graph.neighbourhood('a', { depth: 3 })).entities.map((e) => e.id)).toEqual(['a']);
    expect((await memory.graph.neighbourhood('a', { depth: 3 })).relations).toEqual([]);
    expect(await rowsContaining(SECRET)).toBe(0);
    expect((await memory.history.forMission(RETENTION_MISSION_ID)).at(-1)).toMatchObject({ kind: 'removed', entityIds: ['hub'] });
  });

  it('a failure between the delete and the history record leaves neither: the document stays, no removal is recorded', async () => {
    let calls = 0;
    const faulty = await AgentMemory.open(backend.db, { now: () => (++calls > 1 ? Number.NaN : clock) });
    await faulty.semantic.put({ id: 'doc-fault', title: 'Fault', body: 'Survives a failed removal.' }); // first call: a good time
    const before = (await memory.history.forMission(RETENTION_MISSION_ID)).length;
    // The delete runs, then the history append reads the clock, gets NaN and throws: the transaction rolls back.
    await expect(faulty.forgetDocument('doc-fault', { actor: 'test', reason: 'Fault injection.' })).rejects.toThrow('now(): must be a finite, non-negative time');
    expect(await memory.semantic.get('doc-fault')).toMatchObject({ title: 'Fault' });
    expect((await memory.semantic.search('survives failed removal')).map((hit) => hit.id)).toContain('doc-fault');
    expect(await memory.history.forMission(RETENTION_MISSION_ID)).toHaveLength(before);
  });

  it('refuses a removal without actor or reason, and removes nothing', async () => {
    await memory.semantic.put({ id: 'doc-keep', title: 'Keep', body: 'Keep me.' });
    await expect(memory.forgetDocument('doc-keep', { actor: '', reason: 'x' })).rejects.toThrow('removal.actor: is empty');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately ill-typed input
    await expect(memory.forgetDocument('doc-keep', undefined as any)).rejects.toThrow(InvalidMemoryInput);
    expect(await memory.semantic.get('doc-keep')).toBeDefined();
  });

  it('retention removes documents, idle entities and history records past their age, and records what it removed', async () => {
    const day = 86_400_000;
    const aged = await AgentMemory.open(backend.db, { now: () => clock, retention: { documentsMaxAgeMs: 30 * day, entitiesMaxAgeMs: 30 * day, historyMaxAgeMs: 365 * day } });
    const old = await aged.history.append({ missionId: 'm-old', actor: 'agent', kind: 'open', summary: 'Old question.' });
    await aged.semantic.put({ id: 'doc-stale', title: 'Stale', body: 'Stale text.' });
    await aged.graph.upsertEntity({ id: 'idle', kind: 'service', name: 'Idle', source: 'test' });
    await aged.graph.upsertEntity({ id: 'busy', kind: 'service', name: 'Busy', source: 'test' });
    clock += 40 * day;
    await aged.graph.upsertEntity({ id: 'fresh', kind: 'service', name: 'Fresh', source: 'test' });
    await aged.graph.relate({ from: 'fresh', type: 'calls', to: 'busy', source: 'test' });
    await aged.semantic.put({ id: 'doc-fresh', title: 'Fresh', body: 'Fresh text.' });
    const answer = await aged.history.append({ missionId: 'm-old', actor: 'agent', kind: 'decided', summary: 'Answered.', resolves: old.seq });

    const first = await aged.sweep();
    expect(first.documents).toContain('doc-stale');
    expect(first.documents).not.toContain('doc-fresh');
    expect(first.entities).toContain('idle');
    expect(first.entities).not.toContain('busy'); // a relation written within the window keeps it
    expect(first.historyRecords).toBe(0);

    clock += 400 * day;
    await aged.sweep();
    expect((await aged.history.forMission('m-old')).map((r) => r.seq)).toEqual([]);
    expect(answer.seq).toBeGreaterThan(old.seq);
    // The sweep's own records of removals are recent, so they remain.
    expect((await aged.history.forMission(RETENTION_MISSION_ID)).length).toBeGreaterThan(0);
    // Outside the sweep, history is still append-only.
    await expect(backend.db.query('DELETE FROM memory_history')).rejects.toThrow('append-only');
    await expect(AgentMemory.open(backend.db, { retention: { historyMaxAgeMs: -1 } })).rejects.toThrow('retention.historyMaxAgeMs: must be a whole number of ms greater than 0');
  });
});
