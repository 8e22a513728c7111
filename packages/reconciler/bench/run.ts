// Measures how fast the loop repairs drift on 10,000 agent deployments. The runtime is the
// in-memory simulator with no latency, so the figures are the loop's own cost (queue,
// rate limiter, back-off bookkeeping, reconcile); against a real API, latency dominates.
import { performance } from 'node:perf_hooks';
import {
  CircuitBreaker,
  Controller,
  createAgentKeyLister,
  createAgentReconciler,
  DesiredState,
  isRuntimeUnavailable,
  SimulatedRuntime,
  specsEqual,
  systemScheduler,
} from '../src/index.ts';

const KEYS = 10_000;
const DRIFTED = KEYS / 10;
const RUNS = 11;

interface RunResult {
  ms: number;
  repaired: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function assertConverged(desired: DesiredState, runtime: SimulatedRuntime): void {
  const observed = runtime.snapshot();
  const mismatched = desired.names().filter((name) => {
    const have = observed.get(name);
    const want = desired.get(name);
    return have === undefined || want === undefined || !specsEqual(have, want);
  });
  // A figure from a run that did not converge would measure nothing: stop instead.
  if (mismatched.length > 0 || observed.size !== desired.names().length) {
    throw new Error(`Benchmark run did not converge: ${mismatched.length} agents differ, ${observed.size} running for ${desired.names().length} declared.`);
  }
}

/** One run: roll out KEYS agents, drift 10% of them, and time the repair. */
async function run(trigger: 'resync' | 'watch'): Promise<RunResult> {
  const desired = new DesiredState();
  const runtime = new SimulatedRuntime({ scheduler: systemScheduler });
  const breaker = new CircuitBreaker({ scheduler: systemScheduler, isFailure: isRuntimeUnavailable });
  let repaired = 0;
  const controller = new Controller({
    reconcile: createAgentReconciler({ desired, runtime, breaker, onAction: () => repaired++ }),
    listKeys: createAgentKeyLister({ desired, runtime, breaker }),
    // The default bucket (50 per second) would make this a measure of the limiter.
    rateLimit: { perSecond: 1e9, burst: 1e9 },
    resyncEveryMs: 3_600_000,
  });
  for (let i = 0; i < KEYS; i++) {
    desired.apply(`agent-${i}`, { model: 'model-small', replicas: 1 + (i % 3), tools: ['search', 'tickets'], version: 'v1' });
  }
  await controller.start();
  await controller.whenIdle();
  assertConverged(desired, runtime);

  if (trigger === 'watch') runtime.watch((name) => controller.enqueue(name));
  repaired = 0;
  const started = performance.now();
  // Every tenth agent drifts: half deleted, half scaled to zero.
  for (let i = 0; i < KEYS; i += 10) {
    const name = `agent-${i}`;
    runtime.injectDrift(i % 20 === 0 ? { kind: 'delete', name } : { kind: 'modify', name, patch: { replicas: 0 } });
  }
  if (trigger === 'resync') await controller.resyncNow();
  await controller.whenIdle();
  const ms = performance.now() - started;

  assertConverged(desired, runtime);
  if (repaired !== DRIFTED) throw new Error(`Expected ${DRIFTED} repairs, made ${repaired}.`);
  await controller.shutdown();
  return { ms, repaired };
}

async function measure(trigger: 'resync' | 'watch'): Promise<number[]> {
  await run(trigger); // warm-up, not counted
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await run(trigger)).ms);
  return times;
}

const resync = median(await measure('resync'));
const watch = median(await measure('watch'));
const format = (value: number, digits = 1): string => value.toLocaleString('en-US', { maximumFractionDigits: digits });

console.log(`converge ${format(KEYS)} keys after drift to 10% (resync checks every key): ${format(resync)} ms (median of ${RUNS} runs)`);
console.log(`keys reconciled per second (resync): ${format((KEYS / resync) * 1000, 0)} keys/s (median of ${RUNS} runs)`);
console.log(`converge after drift to ${format(DRIFTED)} of ${format(KEYS)} keys (watch events name the drifted keys): ${format(watch)} ms (median of ${RUNS} runs)`);
console.log(`drifted keys repaired per second (watch): ${format((DRIFTED / watch) * 1000, 0)} keys/s (median of ${RUNS} runs)`);
