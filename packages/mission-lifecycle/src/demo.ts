// The demo: a ten-step mission survives a SIGKILL and a paused owner. Worker 1 is killed in
// step 4; worker 2 sees its PID is dead, takes over with a larger token and resumes at step 4;
// worker 2 is then paused (SIGSTOP) past its lease, worker 3 takes over, and when worker 2 wakes
// (SIGCONT) its write is refused. A telemetry client prints every record from the SSE stream.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalMissionStore, loadMission, startTelemetryServer } from './index.ts';

const STEP_MS = 300;
const TTL_MS = 2_000;
const root = await mkdtemp(join(tmpdir(), 'mission-demo-'));
const store = await LocalMissionStore.open(root);
const steps = Array.from({ length: 10 }, (_, i) => `step-${String(i + 1).padStart(2, '0')}`);
await store.create('migration-review', steps, Date.now());
console.log(`Mission "migration-review": ${steps.length} steps, local store in a temporary folder, lease ${TTL_MS} ms.\n`);

const telemetry = await startTelemetryServer({ store, pollIntervalMs: 50 });
const streamDone = (async () => {
  const response = await fetch(`${telemetry.url}/missions/migration-review/events`);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const record = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
      const what =
        record.kind === 'transition' ? `${String(record.from)} -> ${String(record.to)} (${String(record.event)})` :
        record.kind === 'claimed' ? `claimed by ${String(record.worker)}, token ${String(record.token)}` :
        record.kind === 'created' ? 'created' : `${String(record.kind)} ${String(record.step)}`;
      const token = record.token === undefined || record.kind === 'claimed' ? '' : ` (token ${String(record.token)})`;
      console.log(`  [sse ${id}] ${what}${token}`);
    }
  }
})();

function startWorker(name: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./demo-worker.ts', import.meta.url)), root, 'migration-review', name, String(STEP_MS), String(TTL_MS)]);
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    rest += chunk.toString();
    const parts = rest.split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      console.log(`${name}: ${line}`);
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) waiter.resolve();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`${name} (stderr): ${chunk.toString()}`));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A worker that ends before the line the demo waits for stops the demo instead of hanging it.
  const until = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (lines.some((l) => pattern.test(l))) return resolve();
      waiters.push({ pattern, resolve });
      void exited.then((code) => reject(new Error(`${name} exited with ${String(code)} before printing ${String(pattern)}`)));
    });
  return { child, exited, until };
}

console.log('1. worker-1 starts, and is killed with SIGKILL while it runs step 4.');
const one = startWorker('worker-1');
await one.until(/running step-04/);
one.child.kill('SIGKILL');
await one.exited;
console.log(`   killed. Recorded done: ${[...(await loadMission(store, 'migration-review')).done].join(', ')}\n`);

console.log('2. worker-2 starts: the owner record names a dead PID, so it takes over at once and resumes at step 4.');
const two = startWorker('worker-2');
await two.until(/running step-07/);
two.child.kill('SIGSTOP');
console.log(`\n3. worker-2 is paused (SIGSTOP) in step 7. Its PID is alive, so worker-3 must wait for the ${TTL_MS} ms lease to run out.`);
const started = Date.now();
const three = startWorker('worker-3');
await three.until(/claimed the mission/);
console.log(`   worker-3 owns the mission ${Date.now() - started} ms after it started.\n`);
console.log('4. worker-2 wakes (SIGCONT) and tries to record step 7 done with its old token:');
two.child.kill('SIGCONT');
console.log(`   worker-2 exited with code ${String(await two.exited)}.\n`);
await three.exited;
await streamDone;

const mission = await loadMission(store, 'migration-review');
console.log(`\nFinal state: ${mission.state}; steps done: ${mission.done.size} of ${mission.steps.length}; late writes ignored: ${mission.lateWritesIgnored.length}.`);
await telemetry.close();
await store.close();
await rm(root, { recursive: true, force: true });
