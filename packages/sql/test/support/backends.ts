// The two real backends every contract test runs on: a schema of the suite's own in the PGlite
// the worker's test files share, and a database of its own on the run's throwaway PostgreSQL
// server (src/testing/suites.ts says how each is shared and cleaned up).
import { inject } from 'vitest';
import type { SqlClient } from '../../src/index.ts';
import { openPGliteSuite, openServerSuite, openTestPGlite } from '../../src/testing/index.ts';

export type BackendKind = 'pglite' | 'server';
export const BACKENDS: readonly BackendKind[] = ['pglite', 'server'];

export interface Backend {
  readonly client: SqlClient;
  /** Ends the suite's share: drops its schema (PGlite) or closes the client and drops its database (server). */
  close(): Promise<void>;
}

export async function openBackend(kind: BackendKind): Promise<Backend> {
  if (kind === 'pglite') return openPGliteSuite();
  const suite = await openServerSuite(inject('postgresUrl'));
  return { client: await suite.connect(), close: () => suite.close() };
}

/** A client of its own, for a test that closes it. */
export async function openOwnClient(kind: BackendKind): Promise<{ readonly client: SqlClient; close(): Promise<void> }> {
  if (kind === 'pglite') {
    const client = await openTestPGlite();
    return { client, close: () => client.close() };
  }
  return openBackend('server');
}
