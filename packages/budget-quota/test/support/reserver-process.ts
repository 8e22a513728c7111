// One of several processes that reserve against the same journal (see multi-process.test.ts).
// It opens the store, says "ready", waits for "go" on stdin so all processes start together,
// then tries its reservations and prints what it was granted as one JSON line.
import { once } from 'node:events';
import { BudgetEnforcer, FileQuotaStore } from '../../src/index.ts';

const [journal = '', attemptsText = '0', tokensText = '0', limitText = '0', compactEveryText = '10000'] = process.argv.slice(2);
const tokens = Number(tokensText);
const store = await FileQuotaStore.open(journal, {
  quotas: [{ scope: 'team/research', limits: { tokens: Number(limitText) }, window: { type: 'fixed', durationMs: 86_400_000 }, leaseMs: 60_000 }],
  lockTimeoutMs: 20_000,
  compactEvery: Number(compactEveryText),
});
const budget = new BudgetEnforcer({ store, storeTimeoutMs: 30_000 });

process.stdout.write('ready\n');
await once(process.stdin, 'data');

const outcome = { granted: 0, overLimit: 0, unavailable: 0, compactions: 0, reloads: 0 };
for (let attempt = 0; attempt < Number(attemptsText); attempt++) {
  const result = await budget.guard('team/research', { tokens }, async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return { value: null, actual: { tokens } };
  });
  if (result.granted) outcome.granted++;
  else if (result.reason === 'over-limit') outcome.overLimit++;
  else outcome.unavailable++;
}
outcome.compactions = store.stats.compactions;
outcome.reloads = store.stats.reloads;
await store.close();
process.stdout.write(`${JSON.stringify(outcome)}\n`);
process.stdin.destroy();
