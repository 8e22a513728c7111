// The two real backends every contract test runs on: PGlite, and a database of its own on the
// run's throwaway PostgreSQL server.
//
// PGlite: test files share their worker (isolate: false), and with it one PGlite opened from the
// template; each suite gets a schema of its own in it (search_path), dropped at the end. Suites
// of one worker run one after another, so the session-wide search_path is always the running
// suite's. This saves a PGlite start-up per suite; a suite that needs an instance of its own
// (to close it, or to hold a directory) opens one.
import { inject } from 'vitest';
import { connect } from '../../src/index.ts';
import type { PGliteClient, SqlClient } from '../../src/index.ts';
import { createTestDatabase, openTestPGlite } from '../../src/testing/index.ts';

export type BackendKind = 'pglite' | 'server';
export const BACKENDS: readonly BackendKind[] = ['pglite', 'server'];

export interface Backend {
  readonly client: SqlClient;
  /** Ends the suite's share: drops its schema (PGlite) or closes the client and drops its database (server). */
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
      client,
      close: async () => {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
        await client.query('SET search_path TO public');
      },
    };
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

/** A client of its own, for a test that closes it. */
export async function openOwnClient(kind: BackendKind): Promise<{ readonly client: SqlClient; close(): Promise<void> }> {
  if (kind === 'pglite') {
    const client = await openTestPGlite();
    return { client, close: () => client.close() };
  }
  return openBackend('server');
}
