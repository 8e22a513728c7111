// A server killed in the middle of a run (SIGQUIT, then SIGKILL to the postmaster) and
// restarted on the same data: appends fail closed while it is down, resume after, and no
// acknowledged entry is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitOutcomeUnknown, DatabaseUnavailable, connect } from '@12-factor-agentops/sql';
import { createTestDatabase, startPostgresServer, type PostgresServer } from '@12-factor-agentops/sql/testing';
import { AuditWriteFailed, PostgresAuditStore, SharedAuditTrail, verifyChain } from '../src/index.ts';
import { textLines } from './support.ts';
import { freshLogId } from './support/postgres.ts';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await pause(10);
  }
}

describe('a server that crashes under a shared trail', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer({ maxConnections: 20 });
  }, 120_000);
  afterAll(() => server.stop());

  it('refuses appends while it is down, takes them again after a restart, and keeps every acknowledged entry', { timeout: 120_000 }, async () => {
    const database = await createTestDatabase(server.url);
    const db = await connect(database.url, { poolSize: 4, connectTimeoutMs: 2_000 });
    try {
      const logId = freshLogId();
      const store = await PostgresAuditStore.open(db, { logId });
      const trail = await SharedAuditTrail.open({ store });
      const acknowledged: [number, string][] = [];
      const refusals: unknown[] = [];
      let phase: 'up' | 'down' | 'restarted' = 'up';
      const refusedWhileDown: unknown[] = [];
      let stopping = false;
      let n = 0;
      const loops = Array.from({ length: 8 }, async () => {
        while (!stopping) {
          const i = n++;
          try {
            const entry = await trail.recordIntent({ tool: 'read_file', args: { i }, actor: 'agent-1', callId: `call-${i}` });
            acknowledged.push([entry.index, entry.hash]);
          } catch (error) {
            refusals.push(error);
            if (phase === 'down') refusedWhileDown.push(error);
            await pause(20);
          }
        }
      });

      await until(() => acknowledged.length >= 60, '60 appends were acknowledged');
      await server.crash({ graceMs: 0 });
      phase = 'down';
      const beforeDown = acknowledged.length;
      await until(() => refusedWhileDown.length >= 8, 'appends were refused while the server was down');
      // Nothing is acknowledged while it is down (an append in flight at the kill may have been acknowledged just before).
      const whileDown = acknowledged.length;
      await pause(100);
      expect(acknowledged.length).toBe(whileDown);
      await server.restart();
      phase = 'restarted';
      await until(() => acknowledged.length >= whileDown + 60, '60 more appends were acknowledged after the restart');
      stopping = true;
      await Promise.all(loops);
      await trail.close();

      expect(whileDown - beforeDown).toBeLessThanOrEqual(8);
      for (const error of refusedWhileDown) {
        expect(error).toBeInstanceOf(AuditWriteFailed);
        const cause = (error as AuditWriteFailed).cause;
        expect(cause instanceof DatabaseUnavailable || cause instanceof CommitOutcomeUnknown, String(cause)).toBe(true);
      }
      const lines = textLines(await store.readLines());
      const report = verifyChain(lines);
      expect(report).toMatchObject({ ok: true });
      // Every acknowledged entry is in the chain, once, at its index. An append whose COMMIT was
      // cut off may have landed without being acknowledged: never more of those than refusals.
      expect(new Set(acknowledged.map(([index]) => index)).size).toBe(acknowledged.length);
      for (const [index, hash] of acknowledged) expect(lines[index]?.endsWith(`"hash":"${hash}"}`)).toBe(true);
      const unknown = refusals.filter((error) => (error as AuditWriteFailed).cause instanceof CommitOutcomeUnknown).length;
      expect(lines.length - acknowledged.length).toBeLessThanOrEqual(unknown);
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
