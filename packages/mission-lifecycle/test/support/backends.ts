// The three places every mission-store contract test runs: the local store in a temporary
// folder, PGlite (one instance shared by the test files, a schema per suite), and a database of
// its own on the run's throwaway PostgreSQL server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { connect } from '@12-factor-agentops/sql';
import type { PGliteClient, SqlClient } from '@12-factor-agentops/sql';
import { createTestDatabase, openTestPGlite } from '@12-factor-agentops/sql/testing';
import { LocalMissionStore, SqlMissionStore } from '../../src/index.ts';
import type { MissionStore, Takeover } from '../../src/index.ts';

export type BackendKind = 'local' | 'pglite' | 'server';
export const BACKENDS: readonly BackendKind[] = ['local', 'pglite', 'server'];

export interface Backend {
  /** A fresh store over the suite's storage: what a restarted process would open. */
  openStore(onTakeover?: (takeover: Takeover) => void): Promise<MissionStore>;
  /** What a child process passes to `openStore` in support/stores.ts: a directory or a URL. */
  readonly target: string | undefined;
  close(): Promise<void>;
}

let sharedPGlite: Promise<PGliteClient> | undefined;
let suites = 0;

export async function openBackend(kind: BackendKind): Promise<Backend> {
  if (kind === 'local') {
    const root = await mkdtemp(join(tmpdir(), 'mission-store-'));
    const stores: MissionStore[] = [];
    return {
      openStore: async (onTakeover) => {
        const store = await LocalMissionStore.open(root, onTakeover === undefined ? {} : { onTakeover });
        stores.push(store);
        return store;
      },
      target: root,
      close: async () => {
        for (const store of stores) await store.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'pglite') {
    sharedPGlite ??= openTestPGlite();
    const client = await sharedPGlite;
    const schema = `suite_${process.pid}_${++suites}`;
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    return {
      openStore: (onTakeover) => SqlMissionStore.open(client, onTakeover === undefined ? {} : { onTakeover }),
      target: undefined,
      close: async () => {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
        await client.query('SET search_path TO public');
      },
    };
  }
  const database = await createTestDatabase(inject('postgresUrl'));
  const clients: SqlClient[] = [];
  return {
    openStore: async (onTakeover) => {
      const client = await connect(database.url, { poolSize: 4 });
      clients.push(client);
      return SqlMissionStore.open(client, onTakeover === undefined ? {} : { onTakeover });
    },
    target: database.url,
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
      await database.drop();
    },
  };
}
