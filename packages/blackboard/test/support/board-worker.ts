// One worker process on a shared server: claims "digest" shards until told to stop on stdin,
// then prints a JSON summary. The test SIGKILLs some of these at random points.
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@12-factor-agentops/sql';
import { SqlBoard, runWorker } from '../../src/index.ts';
import { digest } from './work.ts';

const [url, worker, ttl] = process.argv.slice(2) as [string, string, string];
// A worker paused in the middle of a transaction would hold its row locks, the board revision's
// among them, until it wakes: the server ends such a session after 3 s (and the worker, when it
// wakes, counts a store error and goes on).
const db = await connect(`${url}?options=-c%20idle_in_transaction_session_timeout%3D3000`, { poolSize: 2 });
const board = await SqlBoard.open(db, { shardTypes: ['digest'] });
const stop = new AbortController();
process.stdin.on('data', () => stop.abort());
console.log('ready');
const summary = await runWorker({
  board,
  worker,
  type: 'digest',
  ttlMs: Number(ttl),
  idleWaitMs: 20,
  signal: stop.signal,
  handle: async (input) => {
    // A few ms of "work", so a kill often lands while a shard is held.
    await sleep(1 + Math.floor(Math.random() * 4));
    return digest(input);
  },
});
await db.close();
console.log(JSON.stringify(summary));
