// One worker process of the demo: resumes the mission from the local store and narrates each
// step, waiting (polling every 200 ms) while another worker owns it. Usage: demo-worker.ts <store directory> <missionId> <worker name> <step ms> <ttl ms>
import { setTimeout as sleep } from 'node:timers/promises';
import { FencingTokenRejected, LocalMissionStore, resumeWhenFree, thisProcess } from './index.ts';

const [root, missionId, name, stepMs, ttlMs] = process.argv.slice(2) as [string, string, string, string, string];
const store = await LocalMissionStore.open(root, {
  onTakeover: (t) => console.log(`found a stale owner: ${t.previous.worker} (pid ${t.previous.pid}, token ${t.previous.token}), ${t.why}; taking over`),
  onTornTail: (r) => console.log(`cut a torn last line (${r.removedBytes} bytes) off the journal`),
});
try {
  let told = false;
  const mission = await resumeWhenFree(missionId, {
    store,
    pollIntervalMs: 200,
    onWait: (owned) => {
      if (!told) console.log(`owned by ${owned.owner.worker} (pid ${owned.owner.pid}, alive) until its lease ends; polling every 200 ms`);
      told = true;
    },
    worker: thisProcess(name),
    ttlMs: Number(ttlMs),
    steps: new Proxy(
      {},
      {
        get: () => async (context: { step: string; key: string; token: number }) => {
          console.log(`running ${context.step} (key ${context.key}, token ${context.token})`);
          await sleep(Number(stepMs));
        },
      },
    ),
    onRecord: (stored) => {
      if (stored.record.kind === 'claimed') console.log(`claimed the mission with fencing token ${stored.record.token}`);
    },
  });
  console.log(`mission ${mission.state}`);
} catch (error) {
  if (!(error instanceof FencingTokenRejected)) throw error;
  console.log(`my write was refused: ${error.message}`);
  process.exitCode = 3;
} finally {
  await store.close();
}
