// Plan hashing throughput for a realistic plan. Prints one line per figure:
// `name: value unit (median of N runs)`. Measures, never asserts.
import { createHash } from 'node:crypto';
import { canonicalJson, hashPlan, identifyPlan } from '../src/index.ts';
import { buildRealisticPlan } from './realistic-plan.ts';

const RUNS = 7;
const RUN_MS = 500;
const STEPS = 40;

// Runs `operation` repeatedly for about RUN_MS and returns operations per second.
function opsPerSecond(operation: () => unknown): number {
  let sink = 0;
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(RUN_MS) * 1_000_000n) {
    for (let i = 0; i < 50; i += 1) {
      const result = operation();
      if (typeof result === 'string') sink += result.length;
    }
    done += 50;
    elapsedNs = process.hrtime.bigint() - start;
  }
  if (sink === -1) console.log('unreachable'); // keeps the results observable so no work is optimised away
  return done / (Number(elapsedNs) / 1e9);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function measure(operation: () => unknown): number {
  opsPerSecond(operation); // warm-up: let the JIT settle before counting
  return median(Array.from({ length: RUNS }, () => opsPerSecond(operation)));
}

const format = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const plan = buildRealisticPlan(STEPS);
const canonical = canonicalJson(plan);
const bytes = Buffer.byteLength(canonical, 'utf8');
console.log(`# realistic plan: ${STEPS} steps (tool, arguments, target, expectations, rollback note), ${format(bytes)} bytes of canonical JSON`);
console.log(`# node ${process.version}, ${RUNS} runs of ~${RUN_MS} ms each after one warm-up run`);

const hashing = measure(() => hashPlan(plan));
console.log(`plan hashing (canonical JSON + SHA-256): ${format(hashing)} plans/s (median of ${RUNS} runs)`);
console.log(`plan hashing (canonical JSON + SHA-256): ${format((hashing * bytes) / 1e6, 1)} MB/s (median of ${RUNS} runs)`);

// What the gate does with a new or revised plan: one reading that yields the frozen snapshot and its hash.
const snapshotting = measure(() => identifyPlan(plan).planHash);
console.log(`plan snapshot + hash (gate creation, revision): ${format(snapshotting)} plans/s (median of ${RUNS} runs)`);

const encoding = measure(() => canonicalJson(plan));
console.log(`canonical JSON encoding alone: ${format(encoding)} plans/s (median of ${RUNS} runs)`);

const digest = measure(() => createHash('sha256').update(canonical, 'utf8').digest('hex'));
console.log(`SHA-256 of the canonical bytes alone: ${format((digest * bytes) / 1e6, 1)} MB/s (median of ${RUNS} runs)`);
console.log(`plan hashing as a share of raw SHA-256: ${format((hashing * bytes) / (digest * bytes), 3)}x; snapshot + hash: ${format(snapshotting / digest, 3)}x`);
