// A server that crashes in the middle of forgetting: the caller gets DatabaseUnavailable, and
// after a restart on the same data the document is still there and no removal was recorded:
// forgetting applies whole or not at all. Its own server, so the run's shared one is untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailable, connect } from '@12-factor-agentops/sql';
import type { SqlClient } from '@12-factor-agentops/sql';
import { startPostgresServer } from '@12-factor-agentops/sql/testing';
import { AgentMemory, RETENTION_MISSION_ID } from '../src/index.ts';

describe('forgetting when the server crashes', () => {
  let server: Awaited<ReturnType<typeof startPostgresServer>>;
  let db: SqlClient;
  beforeAll(async () => {
    server = await startPostgresServer();
    db = await connect(server.url, { poolSize: 2 });
  });
  afterAll(async () => {
    await db.close().catch(() => undefined);
    await server.stop();
  });

  it('a crash inside the transaction applies none of it', async () => {
    let crash = false;
    let crashed: Promise<void> = Promise.resolve();
    // The clock is read after the DELETE, inside the transaction: there the server is killed.
    const memory = await AgentMemory.open(db, {
      now: () => {
        if (crash) {
          crash = false;
          crashed = server.crash({ graceMs: 0 }); // SIGQUIT is sent before its first await
          // Give the kill a moment to land before the next statement is sent.
          const until = Date.now() + 300;
          while (Date.now() < until) {
            /* busy wait: the clock must answer synchronously */
          }
        }
        return 1_700_000_000_000;
      },
    });
    await memory.semantic.put({ id: 'doc-crash', title: 'Crash', body: 'Must survive a crash in the middle of forgetting.' });
    crash = true;
    const error = await memory.forgetDocument('doc-crash', { actor: 'test', reason: 'Crash injection.' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailable);

    await crashed;
    await server.restart();
    const after = await connect(server.url, { poolSize: 1 });
    try {
      const reopened = await AgentMemory.open(after);
      expect(await reopened.semantic.get('doc-crash')).toMatchObject({ title: 'Crash' });
      expect(await reopened.history.forMission(RETENTION_MISSION_ID)).toEqual([]);
    } finally {
      await after.close();
    }
  });
});
