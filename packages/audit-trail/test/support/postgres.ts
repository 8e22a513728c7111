// The two PostgreSQL backends the stores are tested on: an in-memory PGlite opened from the test
// template, and a database of its own on the run's throwaway server. Each test gives its trail a
// log id of its own, so the tests of one file share a backend without seeing each other's rows.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { connect, type SqlClient } from '@12-factor-agentops/sql';
import { createTestDatabase, openTestPGlite } from '@12-factor-agentops/sql/testing';

export type PgBackendKind = 'PGlite' | 'PostgreSQL server';
export const PG_BACKENDS: readonly PgBackendKind[] = ['PGlite', 'PostgreSQL server'];

export interface PgBackend {
  readonly client: SqlClient;
  /** The server database's URL; undefined on PGlite, which only this process can open. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

export async function openPgBackend(kind: PgBackendKind): Promise<PgBackend> {
  if (kind === 'PGlite') {
    const client = await openTestPGlite();
    return { client, url: undefined, close: () => client.close() };
  }
  const database = await createTestDatabase(inject('postgresUrl'));
  const client = await connect(database.url, { poolSize: 8 });
  return {
    client,
    url: database.url,
    close: async () => {
      await client.close();
      await database.drop();
    },
  };
}

/** A log id no other test uses. */
export function freshLogId(): string {
  return `agents.example/pg-test/${randomUUID()}`;
}
