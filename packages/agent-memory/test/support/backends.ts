// The two backends every layer test runs on: a schema of the suite's own in the PGlite the
// worker's test files share, and a database of its own on the run's throwaway PostgreSQL server.
import { inject } from 'vitest';
import type { SqlClient } from '@12-factor-agentops/sql';
import { openPGliteSuite, openServerSuite } from '@12-factor-agentops/sql/testing';

export type BackendKind = 'pglite' | 'server';
export const BACKENDS: readonly BackendKind[] = ['pglite', 'server'];

export interface Backend {
  readonly db: SqlClient;
  /** A URL another process can open, for the server backend. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

export async function openBackend(kind: BackendKind): Promise<Backend> {
  if (kind === 'pglite') {
    const suite = await openPGliteSuite();
    return { db: suite.client, url: undefined, close: () => suite.close() };
  }
  const suite = await openServerSuite(inject('postgresUrl'));
  return { db: await suite.connect({ poolSize: 4 }), url: suite.url, close: () => suite.close() };
}
