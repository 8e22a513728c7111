// The four quota stores every shared suite runs against: memory, file, PGlite and the run's
// throwaway PostgreSQL server (started once by sql's global setup). Each store opened here
// starts empty: the file store in a directory of its own, the SQL stores in a schema of their
// own (search_path), on one PGlite per worker and one database per worker on the server.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { connect } from '@12-factor-agentops/sql';
import type { PGliteClient, SqlClient } from '@12-factor-agentops/sql';
import { createTestDatabase, openTestPGlite } from '@12-factor-agentops/sql/testing';
import type { TestDatabase } from '@12-factor-agentops/sql/testing';
import { FileQuotaStore, MemoryQuotaStore, PostgresQuotaStore } from '../../src/index.ts';
import type { QuotaSpec, QuotaStore } from '../../src/index.ts';
import type { StoreUnderTest } from './store-conformance.ts';

export type StoreKind = 'memory' | 'file' | 'pglite' | 'server';
export const STORE_KINDS: readonly StoreKind[] = ['memory', 'file', 'pglite', 'server'];
export const STORE_NAMES: Readonly<Record<StoreKind, string>> = {
  memory: 'MemoryQuotaStore',
  file: 'FileQuotaStore',
  pglite: 'PostgresQuotaStore on PGlite',
  server: 'PostgresQuotaStore on a PostgreSQL server',
};

let pglite: Promise<PGliteClient> | undefined;
let database: Promise<TestDatabase> | undefined;

/** The worker's PGlite, opened from sql's template on first use; it lives as long as the worker. */
export function sharedPGlite(): Promise<PGliteClient> {
  pglite ??= openTestPGlite();
  return pglite;
}

/** The worker's database on the run's server; it goes with the server at the end of the run. */
export function sharedDatabase(): Promise<TestDatabase> {
  database ??= createTestDatabase(inject('postgresUrl'));
  return database;
}

/** The URL of `schema` in the worker's database: every connection of a pool opened on it works in that schema. */
export async function schemaUrl(schema: string): Promise<string> {
  const url = new URL((await sharedDatabase()).url);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** A schema of its own in the worker's server database, and a client working in it. */
export interface ServerSchema {
  readonly name: string;
  /** The URL whose connections work in this schema (search_path). */
  readonly url: string;
  readonly admin: SqlClient;
  /** Drops the schema with everything in it and closes `admin`. */
  drop(): Promise<void>;
}

/** Creates an empty schema in the worker's server database (a random name unless one is given). */
export async function createServerSchema(name = `quota_${randomBytes(5).toString('hex')}`): Promise<ServerSchema> {
  const url = await schemaUrl(name);
  const admin = await connect(url, { poolSize: 2 });
  await admin.query(`CREATE SCHEMA ${name}`);
  return {
    name,
    url,
    admin,
    drop: async () => {
      await admin.query(`DROP SCHEMA ${name} CASCADE`);
      await admin.close();
    },
  };
}

/** A server schema for the suite that calls this: created before its tests and dropped after them. */
export function serverSchemaForSuite(name: string): () => ServerSchema {
  let schema: ServerSchema | undefined;
  beforeAll(async () => {
    schema = await createServerSchema(name);
  });
  afterAll(() => schema?.drop());
  return () => {
    if (schema === undefined) throw new Error(`the schema ${name} is made in beforeAll; use it inside a test`);
    return schema;
  };
}

/** Creates an empty schema of its own on the worker's PGlite or server database and returns a client working in it. */
async function freshSchema(kind: 'pglite' | 'server'): Promise<{ readonly client: SqlClient; readonly url?: string; drop(): Promise<void> }> {
  if (kind === 'server') {
    const schema = await createServerSchema();
    return { client: schema.admin, url: schema.url, drop: () => schema.drop() };
  }
  const schema = `quota_${randomBytes(5).toString('hex')}`;
  const client = await sharedPGlite();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path TO ${schema}`);
  return {
    client,
    drop: async () => {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.query('SET search_path TO public');
    },
  };
}

/** Opens a fresh, empty store of `kind` enforcing `quotas`, with `reopen` for the durable ones. */
export async function openStore(kind: StoreKind, quotas: readonly QuotaSpec[]): Promise<StoreUnderTest> {
  if (kind === 'memory') return { store: new MemoryQuotaStore(quotas), close: () => Promise.resolve() };
  if (kind === 'file') {
    const directory = await mkdtemp(join(tmpdir(), 'budget-quota-store-'));
    const journal = join(directory, 'quota.journal');
    const stores = [await FileQuotaStore.open(journal, { quotas })];
    return {
      store: stores[0] as FileQuotaStore,
      reopen: async () => {
        const store = await FileQuotaStore.open(journal, { quotas });
        stores.push(store);
        return store;
      },
      close: async () => {
        await Promise.all(stores.map((store) => store.close()));
        await rm(directory, { recursive: true, force: true });
      },
    };
  }
  const schema = await freshSchema(kind);
  const stores: PostgresQuotaStore[] = [];
  // On the server a reopened store gets a pool of its own, as another process would.
  const open = async (): Promise<PostgresQuotaStore> => {
    const store = await PostgresQuotaStore.open(schema.url ?? schema.client, { quotas, poolSize: 4 });
    stores.push(store);
    return store;
  };
  const store = await open();
  return {
    store,
    reopen: open,
    close: async () => {
      await Promise.all(stores.map((opened) => opened.close()));
      await schema.drop();
    },
  };
}

/**
 * Stores for property tests, which need a fresh quota for each of many runs: a new memory or
 * file store per run, and on PGlite and the server one store per suite, to which each run adds
 * a scope of its own (`<scope>#<run>`), since a schema per run would cost more than the run.
 */
export interface PropertyStores {
  /** A store enforcing `spec` under the returned scope, with nothing used yet. */
  fresh(spec: QuotaSpec): Promise<{ readonly store: QuotaStore; readonly scope: string }>;
  close(): Promise<void>;
}

export async function propertyStores(kind: StoreKind): Promise<PropertyStores> {
  const opened: StoreUnderTest[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  };
  if (kind === 'memory' || kind === 'file') {
    return {
      fresh: async (spec) => {
        // One file store at a time: close the previous run's before opening the next.
        await closeAll();
        const next = await openStore(kind, [spec]);
        opened.push(next);
        return { store: next.store, scope: spec.scope };
      },
      close: closeAll,
    };
  }
  const suite = await openStore(kind, []);
  let runs = 0;
  return {
    fresh: async (spec) => {
      const scope = `${spec.scope}#${++runs}`;
      await suite.store.updateQuota({ ...spec, scope });
      return { store: suite.store, scope };
    },
    close: () => suite.close(),
  };
}

/** How many runs a property gets on each store: the memory store's full count, a quarter (at least 8) where each call is I/O. */
export function runsFor(kind: StoreKind, memoryRuns: number): number {
  return kind === 'memory' ? memoryRuns : Math.max(8, Math.round(memoryRuns / 4));
}
