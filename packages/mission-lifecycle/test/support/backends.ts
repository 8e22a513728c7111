// The three places every mission-store contract test runs: the local store in a temporary
// folder, PGlite (one instance shared by the test files, a schema per suite), and a database of
// its own on the run's throwaway PostgreSQL server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openPGliteSuite, openServerSuite } from '@12-factor-agentops/sql/testing';
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
    const suite = await openPGliteSuite();
    return {
      openStore: (onTakeover) => SqlMissionStore.open(suite.client, onTakeover === undefined ? {} : { onTakeover }),
      target: undefined,
      close: () => suite.close(),
    };
  }
  const suite = await openServerSuite(inject('postgresUrl'));
  return {
    openStore: async (onTakeover) => SqlMissionStore.open(await suite.connect({ poolSize: 4 }), onTakeover === undefined ? {} : { onTakeover }),
    target: suite.url,
    close: () => suite.close(),
  };
}
