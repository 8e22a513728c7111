import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditStore, FileCheckpointStore, MemoryAuditStore, MemoryCheckpointStore, type AuditStore, type CheckpointStore } from '../src/index.ts';
import { auditStoreContract, checkpointStoreContract, type StoreHarness } from './store-contract.ts';

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
