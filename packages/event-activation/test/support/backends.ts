// The three inbox backends every contract test runs on: memory, PGlite, and a database of its
// own on the run's throwaway PostgreSQL server. The PGlite suites share one instance (test
// files share their worker), each in a schema of its own, dropped at the end.
import { inject } from 'vitest';
import { connect } from '@12-factor-agentops/sql';
import type { PGliteClient, SqlClient } from '@12-factor-agentops/sql';
import { createTestDatabase, openTestPGlite } from '@12-factor-agentops/sql/testing';
import { MemoryInbox, SqlInbox } from '../../src/index.ts';
import type { EventInbox } from '../../src/index.ts';

export type BackendKind = 'memory' | 'pglite' | 'server';
export const BACKENDS: readonly BackendKind[] = ['memory', 'pglite', 'server'];

export interface Backend {
  /** A fresh inbox over the suite's storage: what a restarted process would open. */
  openInbox(): Promise<EventInbox>;
  /** A URL another process can open, for the server backend. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

let sharedPGlite: Promise<PGliteClient> | undefined;
let suites = 0;

export async function openBackend(kind: BackendKind): Promise<Backend> {
  if (kind === 'memory') {
    const inbox = new MemoryInbox();
    return { openInbox: async () => inbox, url: undefined, close: async () => {} };
  }
  if (kind === 'pglite') {
    sharedPGlite ??= openTestPGlite();
    const client = await sharedPGlite;
    const schema = `suite_${process.pid}_${++suites}`;
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    return {
      openInbox: () => SqlInbox.open(client),
      url: undefined,
      close: async () => {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
        await client.query('SET search_path TO public');
      },
    };
  }
  const database = await createTestDatabase(inject('postgresUrl'));
  const clients: SqlClient[] = [];
  return {
    openInbox: async () => {
      const client = await connect(database.url, { poolSize: 8 });
      clients.push(client);
      return SqlInbox.open(client);
    },
    url: database.url,
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
      await database.drop();
    },
  };
}
