// Several stores in one process reserving and releasing against one journal as fast as they
// can, so that at any moment some of them are taking the journal's lock (see crash.test.ts).
// Prints "ready" once every store is open, then runs until it is killed.
import { FileQuotaStore } from '../../src/index.ts';

const [journal = '', storesText = '8'] = process.argv.slice(2);
const quota = { scope: 'team/research', limits: { tokens: 1_000_000_000 }, window: { type: 'fixed' as const, durationMs: 86_400_000 }, leaseMs: 60_000 };
const stores = await Promise.all(Array.from({ length: Number(storesText) }, () => FileQuotaStore.open(journal, { quotas: [quota], lockTimeoutMs: 60_000 })));
process.stdout.write('ready\n');
await Promise.all(
  stores.map(async (store) => {
    for (;;) {
      const answer = await store.reserve('team/research', { tokens: 1, costMinor: 0, toolCalls: 0 }, Date.now());
      if (answer.granted) await store.release('team/research', answer.id, Date.now());
    }
  }),
);
