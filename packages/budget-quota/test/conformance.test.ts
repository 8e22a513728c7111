import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileQuotaStore, MemoryQuotaStore } from '../src/index.ts';
import { describeQuotaStoreConformance } from './support/store-conformance.ts';

describeQuotaStoreConformance('MemoryQuotaStore', (quotas) => {
  const store = new MemoryQuotaStore(quotas);
  return Promise.resolve({ store, close: () => Promise.resolve() });
});

describeQuotaStoreConformance('FileQuotaStore', async (quotas) => {
  const directory = await mkdtemp(join(tmpdir(), 'budget-quota-conformance-'));
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
});
