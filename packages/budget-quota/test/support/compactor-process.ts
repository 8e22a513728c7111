// Compacts one journal over and over until it is killed (see crash.test.ts). Prints "ready"
// once the journal is open, then "compacted" after the first compaction.
import { FileQuotaStore } from '../../src/index.ts';
import { crashQuotas } from './crash-journal.ts';

const [journal = ''] = process.argv.slice(2);
const store = await FileQuotaStore.open(journal, { quotas: crashQuotas, compactEvery: Number.MAX_SAFE_INTEGER });
process.stdout.write('ready\n');
for (let round = 0; ; round++) {
  await store.compact();
  if (round === 0) process.stdout.write('compacted\n');
}
