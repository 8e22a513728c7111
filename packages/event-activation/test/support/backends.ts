// The three inbox backends every contract test runs on: memory, PGlite, and a database of its
// own on the run's throwaway PostgreSQL server. The PGlite suites share one instance (test
// files share their worker), each in a schema of its own, dropped at the end.
import { inject } from 'vitest';
import { openPGliteSuite, openServerSuite } from '@12-factor-agentops/sql/testing';
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

export async function openBackend(kind: BackendKind): Promise<Backend> {
  if (kind === 'memory') {
    const inbox = new MemoryInbox();
    return { openInbox: async () => inbox, url: undefined, close: async () => {} };
  }
  if (kind === 'pglite') {
    const suite = await openPGliteSuite();
    return { openInbox: () => SqlInbox.open(suite.client), url: undefined, close: () => suite.close() };
  }
  const suite = await openServerSuite(inject('postgresUrl'));
  return { openInbox: async () => SqlInbox.open(await suite.connect()), url: suite.url, close: () => suite.close() };
}
