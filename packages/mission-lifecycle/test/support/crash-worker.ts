// A worker process for the crash and ownership tests: resumes one mission and records each
// step's effect in a file (`<step> <generation>` per run), so the test sees which process ran
// which step. With "wait", it retries while another worker owns the mission. A write refused
// for a stale token prints `refused <reason>` and exits with code 3.
// Usage: crash-worker.ts <directory | postgres URL> <missionId> <generation> <effects file> <step ms> <ttl ms> [wait]
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FencingTokenRejected, MissionOwned, resume, thisProcess } from '../../src/index.ts';
import { openStore } from './stores.ts';

const [target, missionId, generation, effects, stepMs, ttlMs, mode] = process.argv.slice(2) as [string, string, string, string, string, string, string?];
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
for (;;) {
  try {
    const mission = await resume(missionId, { store, worker: thisProcess(`worker-${generation}`), steps, ttlMs: Number(ttlMs), onRecord: (s) => console.log(`wrote ${s.record.kind}`) });
    console.log(`finished ${mission.state}`);
    break;
  } catch (error) {
    if (error instanceof MissionOwned && mode === 'wait') {
      console.log('owned by another');
      await sleep(20);
      continue;
    }
    if (error instanceof FencingTokenRejected) {
      console.log(`refused ${error.reason}`);
      await store.close();
      process.exit(3);
    }
    throw error;
  }
}
await store.close();
