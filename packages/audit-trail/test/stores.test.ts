import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  FileAuditStore,
  FileCheckpointStore,
  MemoryAuditStore,
  MemoryCheckpointStore,
  PostgresAuditStore,
  PostgresCheckpointStore,
  type AuditStore,
  type CheckpointStore,
} from '../src/index.ts';
import { auditStoreContract, checkpointStoreContract, type StoreHarness } from './store-contract.ts';
import { PG_BACKENDS, freshLogId, openPgBackend, type PgBackend } from './support/postgres.ts';

auditStoreContract('MemoryAuditStore', { create: () => Promise.resolve(new MemoryAuditStore()) });
checkpointStoreContract('MemoryCheckpointStore', { create: () => Promise.resolve(new MemoryCheckpointStore()) });

// Each store gets a file of its own in a fresh directory; reopening opens the same file again.
function fileHarness<S extends { close(): Promise<void> }>(open: (path: string) => Promise<S>): StoreHarness<S> {
  const paths = new Map<S, string>();
  const directories: string[] = [];
  return {
    async create() {
      const directory = await mkdtemp(join(tmpdir(), 'audit-trail-contract-'));
      directories.push(directory);
      const path = join(directory, 'store.jsonl');
      const store = await open(path);
      paths.set(store, path);
      return store;
    },
    async reopen(store) {
      const path = paths.get(store) as string;
      await store.close();
      const again = await open(path);
      paths.set(again, path);
      return again;
    },
    async cleanup() {
      paths.clear();
      await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
    },
  };
}

auditStoreContract('FileAuditStore (fdatasync per line)', fileHarness<AuditStore>((path) => FileAuditStore.open(path)));
auditStoreContract('FileAuditStore (fdatasync per call)', fileHarness<AuditStore>((path) => FileAuditStore.open(path, { sync: 'per-call' })));
checkpointStoreContract('FileCheckpointStore', fileHarness<CheckpointStore>((path) => FileCheckpointStore.open(path)));

// Each store gets a log of its own in the backend's tables; reopening opens that log again, as
// another process would.
function postgresHarness<S extends { readonly logId: string; close(): Promise<void> }>(
  backend: () => PgBackend,
  open: (backend: PgBackend, logId: string) => Promise<S>,
): StoreHarness<S> {
  return {
    create: () => open(backend(), freshLogId()),
    async reopen(store) {
      await store.close();
      return open(backend(), store.logId);
    },
  };
}

for (const kind of PG_BACKENDS) {
  describe(`on ${kind}`, () => {
    let backend: PgBackend | undefined;
    beforeAll(async () => {
      backend = await openPgBackend(kind);
    });
    afterAll(() => backend?.close());
    const current = (): PgBackend => backend as PgBackend;
    auditStoreContract(`PostgresAuditStore on ${kind}`, postgresHarness<AuditStore & { readonly logId: string }>(current, ({ client }, logId) => PostgresAuditStore.open(client, { logId })));
    checkpointStoreContract(`PostgresCheckpointStore on ${kind}`, postgresHarness<CheckpointStore & { readonly logId: string }>(current, ({ client }, logId) => PostgresCheckpointStore.open(client, { logId })));
  });
}
