// The two backends every layer test runs on: PGlite, and a database of its own on the run's
// throwaway PostgreSQL server. The PGlite suites share one instance (test files share their
// worker), each in a schema of its own, dropped at the end.
import { inject } from 'vitest';
import { connect } from '@12-factor-agentops/sql';
import type { PGliteClient, SqlClient } from '@12-factor-agentops/sql';
import { createTestDatabase, openTestPGlite } from '@12-factor-agentops/sql/testing';

export type BackendKind = 'pglite' | 'server';
export const BACKENDS: readonly BackendKind[] = ['pglite', 'server'];

export interface Backend {
  readonly db: SqlClient;
  /** A URL another process can open, for the server backend. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

let sharedPGlite: Promise<PGliteClient> | undefined;
let suites = 0;

export async function openBackend(kind: BackendKind): Promise<Backend> {
  if (kind === 'pglite') {
    sharedPGlite ??= openTestPGlite();
    const client = await sharedPGlite;
    const schema = `suite_${process.pid}_${++suites}`;
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    return {
      db: client,
      url: undefined,
      close: async () => {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
        await client.query('SET search_path TO public');
      },
    };
  }
  const database = await createTestDatabase(inject('postgresUrl'));
  const client = await connect(database.url, { poolSize: 4 });
  return {
    db: client,
    url: database.url,
    close: async () => {
      await client.close();
      await database.drop();
    },
  };
}
