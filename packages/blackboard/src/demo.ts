// The blackboard's story in the terminal: a mission split into shards, four workers, one of them
// killed while it holds a shard, the coordinator's merge; then the same mission as a hard-coded
// chain, failing. Uses DATABASE_URL when it is set, else PGlite in memory.
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@12-factor-agentops/sql';
import { FencingTokenRejected, SqlBoard, coordinate, runChain, runWorker } from './index.ts';
import type { Json, WorkerEvent } from './index.ts';

const step = (text: string): void => console.log(`\n▸ ${text}`);
const TTL_MS = 1_000;
const PAGES = 8;

step(`connect(${process.env.DATABASE_URL === undefined ? "'pglite://memory'" : 'DATABASE_URL'}) and open the board`);
const db = await connect(process.env.DATABASE_URL ?? 'pglite://memory');
console.log(`  ${db.kind}: ${db.target}`);
const board = await SqlBoard.open(db, { shardTypes: ['summarise'] });
const mission = `report-${Date.now()}`;

// Pretend work: an agent summarising one page of a report.
const summarise = async (input: Json): Promise<Json> => {
  await sleep(30);
  return `summary of page ${String(input)}`;
};

try {
  step(`post mission "${mission}": ${PAGES} shards of type "summarise", one per page`);
  const posted = await board.postMission({ id: mission, shards: Array.from({ length: PAGES }, (_, i) => ({ key: `page-${i + 1}`, type: 'summarise', input: i + 1 })) }, Date.now());
  console.log(`  accepted ${posted.posted} shards; posting the same mission again: ${JSON.stringify(await board.postMission({ id: mission, shards: Array.from({ length: PAGES }, (_, i) => ({ key: `page-${i + 1}`, type: 'summarise', input: i + 1 })) }, Date.now()))}`);

  step(`worker-4 claims the oldest shard with a ${TTL_MS} ms lease, then goes silent as if SIGKILLed: no result, no renewal`);
  const doomed = await board.claim({ worker: 'worker-4', type: 'summarise', now: Date.now(), ttlMs: TTL_MS });
  if (doomed === undefined) throw new Error('nothing to claim');
  console.log(`  ${doomed.shardId}: run ${doomed.attempt}, fencing token ${doomed.token}`);

  step('workers 1–3 claim shards in parallel; the killed worker\'s shard waits for its lease to run out');
  const stop = new AbortController();
  const log = (event: WorkerEvent): void => {
    if (event.kind === 'claimed' && event.claim.attempt > 1) {
      console.log(`  ${event.claim.worker} takes ${event.claim.shardId} in run ${event.claim.attempt} (token ${event.claim.token}); run 1 is closed as expired`);
    }
  };
  const workers = [1, 2, 3].map((n) =>
    runWorker({ board, worker: `worker-${n}`, type: 'summarise', ttlMs: TTL_MS, idleWaitMs: 50, signal: stop.signal, onEvent: log, handle: summarise }),
  );

  step('the coordinator (the "+1") waits on the board alone and merges when every shard is done');
  const merged = await coordinate(board, mission, 'coordinator', (results) => [...results.keys()].sort().map((key) => `${key}: ${String(results.get(key))}`), { pollMs: 100 });
  stop.abort();
  const summaries = await Promise.all(workers);
  console.log(`  ${merged.status}; results per worker: ${summaries.map((s, i) => `worker-${i + 1} ${s.completed}`).join(', ')}`);
  if (merged.status === 'merged') for (const line of merged.result as string[]) console.log(`    ${line}`);

  step('worker-4 "wakes up" and writes its late result with its old token');
  try {
    await board.complete(doomed, 'stale summary', Date.now());
    console.log('  accepted (this would be a bug)');
  } catch (error) {
    if (!(error instanceof FencingTokenRejected)) throw error;
    console.log(`  refused: ${error.message}`);
  }
  const view = await board.shard(doomed.shardId);
  console.log(`  ${doomed.shardId} runs: ${view?.runs.map((run) => `#${run.attempt} ${run.worker} ${run.status}`).join(', ')}; result: ${JSON.stringify(view?.result)}`);

  step('the same mission as a hard-coded chain: page 1 → page 2 → …, and the worker of page 1 is killed');
  const chain = await runChain(
    Array.from({ length: PAGES }, (_, i) => ({
      name: `page-${i + 1}`,
      run: async () => {
        if (i === 0) throw new Error('worker-4 was killed');
        return summarise(i + 1);
      },
    })),
    null,
  );
  console.log(
    chain.status === 'failed'
      ? `  the chain failed at ${chain.at} (${chain.reason}): ${chain.results.size} of ${PAGES} pages done, the ${PAGES - chain.results.size - 1} after it never ran, nothing retries it`
      : '  the chain finished',
  );
} finally {
  await board.close();
  await db.close();
}
