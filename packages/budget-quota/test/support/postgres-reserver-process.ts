// One of eight processes reserving against one scope of a PostgreSQL server (see
// postgres-processes.test.ts). It opens the store with a pool of at most 8 connections, says
// "ready", waits for "go" on stdin, then runs 16 reservers at once for `runMs`. Each reserver
// reserves, commits exactly its estimate (or, one time in four, releases it), and keeps its
// last grant open. It prints every grant it was given and what became of it as one JSON line.
import { once } from 'node:events';
import { BudgetEnforcer, PostgresQuotaStore } from '../../src/index.ts';
import type { Reservation } from '../../src/index.ts';

const [url = '', limitText = '0', tokensText = '0', runMsText = '0'] = process.argv.slice(2);
const tokens = Number(tokensText);
const store = await PostgresQuotaStore.open(url, {
  quotas: [{ scope: 'team/shared', limits: { tokens: Number(limitText) }, window: { type: 'fixed', durationMs: 86_400_000 }, leaseMs: 600_000 }],
  poolSize: 8,
  // Sixteen reservers share eight connections on a busy machine: wait for one rather than deny.
  connectTimeoutMs: 20_000,
  applicationName: 'quota-reserver',
});
const budget = new BudgetEnforcer({ store, storeTimeoutMs: 30_000 });

process.stdout.write('ready\n');
await once(process.stdin, 'data');

const grants: { id: string; tokens: number; outcome: 'committed' | 'released' | 'held' }[] = [];
const outcome = { overLimit: 0, unavailable: 0, notRecorded: 0 };
const deadline = performance.now() + Number(runMsText);
await Promise.all(
  Array.from({ length: 16 }, async (_, reserver) => {
    let last: Reservation | undefined;
    for (let attempt = 0; performance.now() < deadline; attempt++) {
      const answer = await budget.reserve('team/shared', { tokens });
      if (!answer.granted) {
        if (answer.reason === 'over-limit') outcome.overLimit++;
        else outcome.unavailable++;
        continue;
      }
      if (last !== undefined) {
        const release = (attempt + reserver) % 4 === 0;
        const receipt = release ? await budget.release(last) : await budget.commit(last, { tokens });
        if (!receipt.recorded) outcome.notRecorded++;
        grants.push({ id: last.id, tokens, outcome: release ? 'released' : 'committed' });
      }
      last = answer;
    }
    if (last !== undefined) grants.push({ id: last.id, tokens, outcome: 'held' });
  }),
);
await store.close();
process.stdout.write(`${JSON.stringify({ grants, ...outcome })}\n`);
process.stdin.destroy();
