// A worker process for the crash tests: resumes one mission and records each step's effect in a
// file (`<step> <generation>` per run), so the test can see which process ran which step.
// Usage: crash-worker.ts <store: directory | postgres URL> <missionId> <generation> <effects file> <step ms> <ttl ms>
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { resume, thisProcess } from '../../src/index.ts';
import { openStore } from './stores.ts';

const [target, missionId, generation, effects, stepMs, ttlMs] = process.argv.slice(2) as [string, string, string, string, string, string];
const store = await openStore(target);
const steps = new Proxy(
  {},
  {
    get: () => async (context: { step: string }) => {
      appendFileSync(effects, `${context.step} ${generation}\n`);
      await sleep(Number(stepMs));
    },
  },
);
console.log('ready');
const mission = await resume(missionId, { store, worker: thisProcess(`worker-${generation}`), steps, ttlMs: Number(ttlMs) });
console.log(`finished ${mission.state}`);
await store.close();
