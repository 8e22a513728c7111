import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database of its own for one test suite, on a shared throwaway server. */
export interface TestDatabase {
  readonly name: string;
  /** The URL of this database, for `connect`. */
  readonly url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/**
 * Creates `suite_<random>` on the server `serverUrl` points at (a superuser URL, such as the
 * one the global setup provides), so suites running in parallel never see each other's tables.
 */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `suite_${randomBytes(6).toString('hex')}`;
  await administer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => administer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function administer(serverUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}
