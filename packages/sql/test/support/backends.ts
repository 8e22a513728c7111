// The two real backends every contract test runs on: an embedded PGlite opened from the
// template, and a database of its own on the run's throwaway PostgreSQL server.
import { inject } from 'vitest';
import { connect } from '../../src/index.ts';
import type { SqlClient } from '../../src/index.ts';
import { createTestDatabase, openTestPGlite } from '../../src/testing/index.ts';

export type BackendKind = 'pglite' | 'server';
export const BACKENDS: readonly BackendKind[] = ['pglite', 'server'];

export interface Backend {
  readonly client: SqlClient;
  /** Closes the client and, on the server, drops the suite's database. */
  close(): Promise<void>;
}

export async function openBackend(kind: BackendKind): Promise<Backend> {
  if (kind === 'pglite') {
    const client = await openTestPGlite();
    return { client, close: () => client.close() };
  }
  const database = await createTestDatabase(inject('postgresUrl'));
  const client = await connect(database.url, { poolSize: 8 });
  return {
    client,
    close: async () => {
      await client.close();
      await database.drop();
    },
  };
}
