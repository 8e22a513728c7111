// The worker the takeover benchmark kills: resumes a mission with slow steps and prints
// `running <step>`. With a host name given, it claims as if it ran on that host, so the next
// owner cannot see its PID and must wait for the lease.
// Usage: worker.ts <directory | postgres URL> <missionId> <host or "-"> <step ms> <ttl ms>
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@12-factor-agentops/sql';
import { LocalMissionStore, SqlMissionStore, resume } from '../src/index.ts';
import type { MissionStore } from '../src/index.ts';

const [target, missionId, host, stepMs, ttlMs] = process.argv.slice(2) as [string, string, string, string, string];
const store: MissionStore = target.startsWith('postgres') ? await SqlMissionStore.open(await connect(target)) : await LocalMissionStore.open(target);
await resume(missionId, {
  store,
  worker: { worker: 'doomed', host: host === '-' ? hostname() : host, pid: process.pid },
  ttlMs: Number(ttlMs),
  steps: new Proxy(
    {},
    {
      get: () => async (context: { step: string }) => {
        console.log(`running ${context.step}`);
        await sleep(Number(stepMs));
      },
    },
  ),
});
