// A test suite's own share of a database, on PGlite and on the run's PostgreSQL server, so every
// package's contract tests run on both the same way.
//
// PGlite: the test files of a worker (isolate: false) share one PGlite opened from the template;
// each suite gets a schema of its own (search_path), dropped at its end. Suites of one worker
// run one after another, so the session-wide search_path is always the running suite's. This
// saves a PGlite start-up per suite; a suite that must close its instance opens its own.
// Server: each suite gets a database of its own, dropped at its end with every client it opened.
import { connect } from '../connect.ts';
import type { SqlClient } from '../client.ts';
import type { PGliteClient } from '../pglite-client.ts';
import { openTestPGlite } from './pglite-template.ts';
import { createTestDatabase } from './test-database.ts';

let sharedPGlite: Promise<PGliteClient> | undefined;
let suites = 0;

export interface PGliteSuite {
  /** The worker's shared PGlite, with the suite's schema first on its search_path. */
  readonly client: PGliteClient;
  /** Drops the suite's schema and resets the search_path. */
  close(): Promise<void>;
}

/** A schema of the suite's own in the PGlite the worker's test files share. */
export async function openPGliteSuite(prefix = 'suite'): Promise<PGliteSuite> {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) throw new RangeError(`prefix must be a lower-case SQL name of at most 31 characters, got ${JSON.stringify(prefix)}`);
  sharedPGlite ??= openTestPGlite();
  const client = await sharedPGlite;
  const schema = `${prefix}_${process.pid}_${++suites}`;
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

export interface ServerSuite {
  /** The suite's database: a URL another process can open. */
  readonly url: string;
  /** A new client of the suite's database (pool of `poolSize`, default 8), closed with the suite. */
  connect(options?: { readonly poolSize?: number }): Promise<SqlClient>;
  /** Closes every client the suite opened, then drops its database. */
  close(): Promise<void>;
}

/** A database of the suite's own on the server at `serverUrl` (the run's `inject('postgresUrl')`). */
export async function openServerSuite(serverUrl: string): Promise<ServerSuite> {
  const database = await createTestDatabase(serverUrl);
  const clients: SqlClient[] = [];
  return {
    url: database.url,
    connect: async (options = {}) => {
      const client = await connect(database.url, { poolSize: options.poolSize ?? 8 });
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
      await database.drop();
    },
  };
}
