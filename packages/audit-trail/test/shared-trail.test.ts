// One trail shared by several appenders through one database: the sequencer, group commit,
// refusals that leave nothing half-written, and the checkpointer chosen by a lease.
import { createHash, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@12-factor-agentops/core';
import { CommitOutcomeUnknown, DatabaseUnavailable, SqlLeases, connect, type SqlClient, type SqlExecutor } from '@12-factor-agentops/sql';
import {
  AuditAppendConflict,
  AuditCheckpointer,
  AuditTrail,
  AuditWriteFailed,
  CallSequenceError,
  CanonicalEncodingError,
  ChainVerificationFailed,
  InvalidRecord,
  MemoryCheckpointStore,
  PostgresAuditStore,
  PostgresCheckpointStore,
  SharedAuditTrail,
  canonicalJson,
  ed25519Signer,
  ed25519Verifier,
  recordToolCall,
  verifyChain,
  type RecordedEntry,
} from '../src/index.ts';
import { LOG_ID, signer, steppingClock, textLines } from './support.ts';
import { PG_BACKENDS, freshLogId, openPgBackend, type PgBackend } from './support/postgres.ts';

/** A client that counts transactions and can run a hook after each statement of one. */
function instrumented(client: SqlClient, afterStatement?: (text: string, tx: SqlExecutor) => Promise<void>): SqlClient & { readonly transactions: number[] } {
  const transactions: number[] = [];
  return {
    kind: client.kind,
    target: client.target,
    transactions,
    query: (statement, values) => client.query(statement, values),
    close: () => client.close(),
    transaction: (work, options) =>
      client.transaction(async (tx) => {
        return work({
          query: async (statement, values) => {
            const outcome = await tx.query(statement, values);
            const text = typeof statement === 'string' ? statement : statement.toQuery().text;
            if (text.includes('INSERT INTO audit_entries')) transactions.push(outcome.rowCount);
            await afterStatement?.(text, tx);
            return outcome as never;
          },
        });
      }, options),
  };
}

const { publicKey, privateKey } = generateKeyPairSync('ed25519');

for (const kind of PG_BACKENDS) {
  describe(`a shared trail on ${kind}`, () => {
    let backend: PgBackend;
    beforeAll(async () => {
      backend = await openPgBackend(kind);
    });
    afterAll(() => backend.close());

    it('never forks the chain when several appenders append at once: each acknowledged entry is in it once, at its index', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 3 }), async (plans) => {
          const logId = freshLogId();
          const trails = await Promise.all(plans.map(async () => SharedAuditTrail.open({ store: await PostgresAuditStore.open(backend.client, { logId }), clock: steppingClock() })));
          const acknowledged: RecordedEntry[] = [];
          // Each appender issues bursts of appends at once; the appenders run side by side.
          await Promise.all(plans.map(async (bursts, writer) => {
            for (const [burst, size] of bursts.entries()) {
              const entries = await Promise.all(Array.from({ length: size }, (_, i) =>
                (trails[writer] as SharedAuditTrail).recordGateDecision({ event: 'plan.submitted', planId: `w${writer}-b${burst}-${i}`, planHash: 'ab'.repeat(32), actor: `writer-${writer}`, at: '2026-01-05T09:00:00.000Z', detail: {} })));
              acknowledged.push(...entries);
            }
          }));
          const lines = await (await PostgresAuditStore.open(backend.client, { logId })).readLines();
          expect(verifyChain(lines)).toMatchObject({ ok: true, size: acknowledged.length });
          expect(new Set(acknowledged.map((entry) => entry.index)).size).toBe(acknowledged.length);
          for (const entry of acknowledged) expect(textLines([lines[entry.index] as Uint8Array])[0]).toContain(`"hash":"${entry.hash}"`);
          await Promise.all(trails.map((trail) => trail.close()));
        }),
        { numRuns: 8 },
      );
    });

    it('commits appends that arrive together in one transaction, and cuts groups at maxBatch', async () => {
      const client = instrumented(backend.client);
      const trail = await SharedAuditTrail.open({ store: await PostgresAuditStore.open(client, { logId: freshLogId() }), clock: steppingClock(), maxBatch: 5 });
      const entries = await Promise.all(Array.from({ length: 16 }, (_, i) => trail.recordIntent({ tool: 'read_file', args: { i }, actor: 'agent-1', callId: `call-${i}` })));
      expect(entries.map((entry) => entry.index)).toEqual(Array.from({ length: 16 }, (_, i) => i));
      expect(client.transactions).toEqual([5, 5, 5, 1]);
      await trail.close();
    });

    it('records routing decisions beside tool calls, refuses a forged decision id, and the chain verifies', async () => {
      const store = await PostgresAuditStore.open(backend.client, { logId: freshLogId() });
      const trail = await SharedAuditTrail.open({ store, clock: steppingClock() });
      const decision = { decision: 'refused' as const, reason: 'unknown-label', explanation: 'label: "SECRET" is not a label' };
      const decisionId = createHash('sha256').update(canonicalJson(decision), 'utf8').digest('hex');
      const routed = await trail.recordRoutingDecision({ decisionId, decidedAt: '2026-01-05T09:00:00.000Z', decision, actor: 'agent-1' });
      const call = await trail.recordIntent({ tool: 'call_model', args: {}, actor: 'agent-1', callId: 'call-r' });
      await expect(trail.recordRoutingDecision({ decisionId: 'f'.repeat(64), decidedAt: '2026-01-05T09:00:00.000Z', decision, actor: 'agent-1' })).rejects.toThrow(InvalidRecord);
      expect(routed).toEqual({ index: 0, hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
      expect(call).toMatchObject({ index: 1, callId: 'call-r' });
      const lines = await store.readLines();
      expect(verifyChain(lines)).toMatchObject({ ok: true, size: 2 });
      expect(textLines([lines[0] as Uint8Array])[0]).toContain(`"kind":"routing"`);
      await trail.close();
    });

    it('refuses a record with no canonical form alone; the others of its group are written', async () => {
      const logId = freshLogId();
      const store = await PostgresAuditStore.open(backend.client, { logId });
      const trail = await SharedAuditTrail.open({ store, clock: steppingClock() });
      const outcomes = await Promise.allSettled([
        trail.recordIntent({ tool: 'a', args: {}, actor: 'agent-1', callId: 'call-a' }),
        trail.recordIntent({ tool: 'b', args: { when: new Date(0) as never }, actor: 'agent-1', callId: 'call-b' }),
        trail.recordIntent({ tool: 'c', args: {}, actor: 'agent-1', callId: 'call-c' }),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(CanonicalEncodingError);
      expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 2 });
      // The refused call id was given back: it can be used for a record that encodes.
      await trail.recordIntent({ tool: 'b', args: {}, actor: 'agent-1', callId: 'call-b' });
      await trail.close();
    });

    it('runs a tool through recordToolCall only once its intent is committed, and not at all when it cannot be', async () => {
      const logId = freshLogId();
      const store = await PostgresAuditStore.open(backend.client, { logId });
      const trail = await SharedAuditTrail.open({ store, clock: steppingClock() });
      const ran: string[] = [];
      const result = await recordToolCall(trail, { tool: 'read_file', args: { path: 'a.md' }, actor: 'agent-1', callId: 'call-1' }, async () => {
        ran.push(`call-1 after ${(await store.readLines()).length} entries`);
        return 'text';
      });
      expect(result).toBe('text');
      expect(ran).toEqual(['call-1 after 1 entries']);
      const unreachable = await SharedAuditTrail.open({ store: { appendRecords: () => Promise.reject(new DatabaseUnavailable('db.example:5432/audit', 'connection refused')), close: () => Promise.resolve() } });
      const refused = await recordToolCall(unreachable, { tool: 'deploy', args: {}, actor: 'agent-1' }, async () => {
        ran.push('deploy');
        return 'deployed';
      }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AuditWriteFailed);
      expect(ran).toEqual(['call-1 after 1 entries']);
      expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 2, unfinishedCalls: [] });
      await trail.close();
    });

    it('refuses a single-host AuditTrail whose log another writer appended to, instead of forking it', async () => {
      const logId = freshLogId();
      const open = async (): Promise<AuditTrail> =>
        AuditTrail.open({ store: await PostgresAuditStore.open(backend.client, { logId }), checkpoints: new MemoryCheckpointStore(), signer, logId: LOG_ID, clock: steppingClock() });
      const first = await open();
      const second = await open();
      await first.recordIntent({ tool: 'read_file', args: {}, actor: 'agent-1', callId: 'call-1' });
      const refused = await second.recordIntent({ tool: 'read_file', args: {}, actor: 'agent-2', callId: 'call-2' }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AuditWriteFailed);
      const conflict = (refused as AuditWriteFailed).cause;
      expect(conflict).toBeInstanceOf(AuditAppendConflict);
      expect((conflict as Error).message).toBe(
        `log ${JSON.stringify(logId)} holds 1 entries, but this store expected to append at entry 0: another writer appended since this store last read it. ` +
          'Nothing was written; several writers share a log through SharedAuditTrail, which seals each entry under the log\'s lock',
      );
      expect(verifyChain(await (await PostgresAuditStore.open(backend.client, { logId })).readLines())).toMatchObject({ ok: true, size: 1 });
    });

    it('lets one checkpointer at a time sign, with Ed25519, what the appenders wrote; another takes over when its lease ends', async () => {
      const logId = freshLogId();
      const store = await PostgresAuditStore.open(backend.client, { logId });
      const checkpoints = await PostgresCheckpointStore.open(backend.client, { logId });
      const leases = await SqlLeases.open(backend.client);
      const clock = new ManualClock(Date.UTC(2026, 0, 5, 9));
      const candidate = (owner: string): AuditCheckpointer =>
        new AuditCheckpointer({ store, checkpoints, signer: ed25519Signer(privateKey), leases, owner, clock, leaseTtlMs: 10_000 });
      const a = candidate('host-a');
      const b = candidate('host-b');
      const trail = await SharedAuditTrail.open({ store, clock: steppingClock() });
      await trail.recordIntent({ tool: 'read_file', args: {}, actor: 'agent-1', callId: 'call-1' });

      const first = await a.runOnce();
      expect(first).toMatchObject({ role: 'leader', checkpoint: { size: 1, algorithm: 'ed25519' } });
      expect(await b.runOnce()).toEqual({ role: 'standby', leader: 'host-a' });
      expect(await a.runOnce()).toMatchObject({ role: 'leader', checkpoint: null });

      await trail.recordOutcome({ callId: 'call-1', status: 'succeeded', durationMs: 2 });
      clock.advance(10_000); // host-a stalls past its lease
      expect(await b.runOnce()).toMatchObject({ role: 'leader', checkpoint: { size: 2 } });
      expect(await a.runOnce()).toEqual({ role: 'standby', leader: 'host-b' });

      const saved = await checkpoints.readAll();
      expect(saved.map((checkpoint) => checkpoint.size)).toEqual([1, 2]);
      expect(verifyChain(await store.readLines(), { checkpoints: saved, verifier: ed25519Verifier(publicKey), logId })).toMatchObject({ ok: true, size: 2, checkpointsChecked: 2 });
      await trail.close();
    });

    it('never signs a log that fails verification: a forged row stops the checkpointer', async () => {
      const logId = freshLogId();
      const store = await PostgresAuditStore.open(backend.client, { logId });
      const checkpoints = await PostgresCheckpointStore.open(backend.client, { logId });
      const checkpointer = new AuditCheckpointer({ store, checkpoints, signer: ed25519Signer(privateKey), leases: await SqlLeases.open(backend.client), owner: 'host-a', clock: new ManualClock(0) });
      const trail = await SharedAuditTrail.open({ store, clock: steppingClock() });
      await trail.recordIntent({ tool: 'read_file', args: {}, actor: 'agent-1', callId: 'call-1' });
      expect(await checkpointer.runOnce()).toMatchObject({ role: 'leader', checkpoint: { size: 1 } });
      // A host with INSERT can append a row the trail did not seal.
      const forged = `{"entry":{"actor":"intruder","at":"2026-01-05T09:00:00.000Z","index":1,"kind":"gate"},"hash":"${'0'.repeat(64)}"}`;
      await backend.client.query("INSERT INTO audit_entries (log_id, position, line) VALUES ($1, 1, convert_to($2, 'UTF8'))", [logId, forged]);
      const refused = await checkpointer.runOnce().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ChainVerificationFailed);
      expect((refused as ChainVerificationFailed).report).toMatchObject({ firstBadIndex: 1, problem: { kind: 'hash-mismatch' } });
      expect((await checkpoints.readAll()).map((checkpoint) => checkpoint.size)).toEqual([1]);
      // And no appender builds on it.
      const blocked = await trail.recordIntent({ tool: 'read_file', args: {}, actor: 'agent-1', callId: 'call-2' }).catch((error: unknown) => error);
      expect(blocked).toBeInstanceOf(AuditWriteFailed);
      expect((blocked as Error).message).toMatch(/^the audit entry for the intent of call call-2 \(read_file\) was not recorded: the last entry of log .* \(position 1\) is not the entry the trail sealed there: its bytes hash to [0-9a-f]{12}…, not to the hash it stores; nothing was appended/);
      await trail.close();
    });
  });
}

describe('a connection killed in the middle of an append (pg_terminate_backend)', () => {
  let backend: PgBackend;
  let killer: SqlClient;
  beforeAll(async () => {
    backend = await openPgBackend('PostgreSQL server');
    killer = await connect(backend.url as string, { poolSize: 1 });
  });
  afterAll(async () => {
    await killer.close();
    await backend.close();
  });

  // Kills the connection of the append's transaction right after the statement that matches `after`.
  async function killedAppend(after: string): Promise<{ readonly store: PostgresAuditStore; readonly trail: SharedAuditTrail; readonly refused: readonly PromiseSettledResult<RecordedEntry>[]; readonly logId: string }> {
    const logId = freshLogId();
    let armed = false;
    const client = instrumented(backend.client, async (text, tx) => {
      if (!armed || !text.includes(after)) return;
      armed = false;
      const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      await killer.query('SELECT pg_terminate_backend($1)', [pid]);
    });
    const store = await PostgresAuditStore.open(client, { logId });
    const trail = await SharedAuditTrail.open({ store, clock: steppingClock() });
    await trail.recordIntent({ tool: 'read_file', args: {}, actor: 'agent-1', callId: 'call-1' });
    armed = true;
    const refused = await Promise.allSettled([
      trail.recordOutcome({ callId: 'call-1', status: 'succeeded', durationMs: 1 }),
      trail.recordIntent({ tool: 'deploy', args: {}, actor: 'agent-1', callId: 'call-2' }),
    ]);
    return { store, trail, refused, logId };
  }

  const causes = (refused: readonly PromiseSettledResult<RecordedEntry>[]): unknown[] =>
    refused.map((outcome) => {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as unknown;
      expect(reason).toBeInstanceOf(AuditWriteFailed);
      return (reason as AuditWriteFailed).cause;
    });

  it('before the entries were inserted: the append fails closed, nothing is written, and the calls can be recorded again', async () => {
    const { store, trail, refused, logId } = await killedAppend('audit_lock_head');
    for (const cause of causes(refused)) expect(cause).toBeInstanceOf(DatabaseUnavailable);
    expect((await backend.client.query('SELECT count(*)::int AS n FROM audit_entries WHERE log_id = $1', [logId])).rows).toEqual([{ n: 1 }]);
    // Nothing was applied, so the calls are as they were: the outcome can be recorded again.
    expect(await trail.recordOutcome({ callId: 'call-1', status: 'succeeded', durationMs: 1 })).toMatchObject({ index: 1 });
    expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 2, unfinishedCalls: [] });
    await trail.close();
  });

  it('after the entries were inserted, before COMMIT: no half-written entry, and the appender does not guess', async () => {
    const { store, trail, refused, logId } = await killedAppend('INSERT INTO audit_entries');
    // The client cannot tell whether COMMIT applied, so it says so; the server rolled the whole transaction back.
    for (const cause of causes(refused)) expect(cause).toBeInstanceOf(CommitOutcomeUnknown);
    expect((refused[0] as PromiseRejectedResult).reason.message).toMatch(/^the audit entry for the outcome of call call-1 \(read_file\) was not recorded: the commit may or may not have applied \(/);
    expect((await backend.client.query('SELECT count(*)::int AS n FROM audit_entries WHERE log_id = $1', [logId])).rows).toEqual([{ n: 1 }]);
    // Not knowing, the appender keeps the call closed rather than risk a second outcome; the next append takes index 1.
    await expect(trail.recordOutcome({ callId: 'call-1', status: 'succeeded', durationMs: 1 })).rejects.toBeInstanceOf(CallSequenceError);
    expect(await trail.recordIntent({ tool: 'read_file', args: {}, actor: 'agent-1', callId: 'call-3' })).toMatchObject({ index: 1 });
    expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 2, unfinishedCalls: [{ callId: 'call-1' }, { callId: 'call-3' }] });
    await trail.close();
  });
});
