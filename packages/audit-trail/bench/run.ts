// Measures the audit trail against the cost of the bare cryptography under it: a chain of
// SHA-256 hashes over entry-sized payloads, with no encoding, no tree and no storage.
// Prints `name: value unit (median of N runs)`; it measures, it never asserts.
import { hash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditTrail,
  FileAuditStore,
  FileCheckpointStore,
  MemoryAuditStore,
  MerkleTree,
  MemoryCheckpointStore,
  hmacSha256Signer,
  rootFromInclusionProof,
  verifyChain,
  type AuditStore,
  type CheckpointStore,
  type SyncMode,
} from '../src/index.ts';

const RUNS = 5;
const signer = hmacSha256Signer(Buffer.alloc(32, 0x5a));
const logId = 'bench.example/audit';
const results = new Map<string, number>();

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function measure(name: string, unit: string, run: () => Promise<number> | number, runs = RUNS): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await run());
  const value = median(values);
  results.set(name, value);
  const shown = value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
  console.log(`${name}: ${shown} ${unit} (median of ${runs} runs)`);
  return value;
}

function perSecond(count: number, startedMs: number): number {
  return count / ((performance.now() - startedMs) / 1000);
}

// A deterministic clock and call ids, so every run writes the same bytes.
async function openTrail(store: AuditStore, checkpoints: CheckpointStore): Promise<AuditTrail> {
  let tick = 0;
  return AuditTrail.open({ store, checkpoints, signer, logId, clock: { now: () => 1_767_225_600_000 + tick++ }, newCallId: () => `call-${tick}` });
}

// One tool call is two entries: the intent (awaited before the tool would run) and the outcome.
async function recordCalls(trail: AuditTrail, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) {
    const intent = await trail.recordIntent({ tool: 'read_file', args: { path: `docs/page-${i}.md`, maxLines: 200 }, actor: 'agent-7' });
    await trail.recordOutcome({ callId: intent.callId as string, status: 'succeeded', durationMs: 12, result: { lines: 120 } });
  }
}

async function buildLog(entries: number): Promise<{ lines: readonly string[]; trail: AuditTrail; checkpoints: MemoryCheckpointStore }> {
  const store = new MemoryAuditStore();
  const checkpoints = new MemoryCheckpointStore();
  const trail = await openTrail(store, checkpoints);
  await recordCalls(trail, entries / 2);
  await trail.checkpoint();
  return { lines: await store.readLines(), trail, checkpoints };
}

const sample = await buildLog(100_000);
// The baseline hashes a real outcome line, so "entry-sized" means what the log actually stores,
// with the same one-shot crypto.hash the trail uses.
const payload = sample.lines[1] as string;

function baselineRun(): number {
  let head = '0'.repeat(64);
  const started = performance.now();
  for (let i = 0; i < 200_000; i++) head = hash('sha256', head + payload, 'hex');
  return perSecond(200_000, started);
}

await measure('chained-sha256-baseline', 'hashes/s', baselineRun);

// Each ratio pairs one run of a figure with a run of the baseline just before it, so that a
// machine that gets busier halfway through the bench slows both sides of the ratio alike.
const ratios = new Map<string, number>();
async function measureAgainstBaseline(name: string, unit: string, run: () => Promise<number> | number): Promise<void> {
  const pairs: number[] = [];
  await measure(name, unit, async () => {
    const base = baselineRun();
    const value = await run();
    pairs.push(value / base);
    return value;
  });
  ratios.set(name, median(pairs));
}

// The hashing no append can skip: the chained hash of the entry, which is also its Merkle leaf,
// and the tree's interior nodes (one per entry over time), with a root every 100 entries as the
// default checkpoints need. No encoding, no validation, no store.
await measureAgainstBaseline('chained-sha256-plus-merkle', 'entries/s', () => {
  const tree = new MerkleTree();
  let head = '0'.repeat(64);
  const started = performance.now();
  for (let i = 0; i < 200_000; i++) {
    head = hash('sha256', head + payload, 'hex');
    tree.appendHex(head);
    if (i % 100 === 99) tree.root();
  }
  return perSecond(200_000, started);
});

await measureAgainstBaseline('append-memory', 'entries/s', async () => {
  const trail = await openTrail(new MemoryAuditStore(), new MemoryCheckpointStore());
  const started = performance.now();
  await recordCalls(trail, 25_000);
  return perSecond(50_000, started);
});

// Intents from `concurrent` agents at once: the trail commits whatever is waiting as one group.
async function concurrentRun(trail: AuditTrail, entries: number, concurrent: number): Promise<number> {
  const started = performance.now();
  for (let done = 0; done < entries; done += concurrent) {
    await Promise.all(Array.from({ length: concurrent }, (_, i) => trail.recordIntent({ tool: 'read_file', args: { path: `docs/page-${done + i}.md`, maxLines: 200 }, actor: 'agent-7' })));
  }
  const rate = perSecond(entries, started);
  await trail.close();
  return rate;
}

await measureAgainstBaseline('append-memory-batched-64', 'entries/s', async () =>
  concurrentRun(await openTrail(new MemoryAuditStore(), new MemoryCheckpointStore()), 51_200, 64));

const directory = await mkdtemp(join(tmpdir(), 'audit-trail-bench-'));
let fileRuns = 0;
async function fileRun(sync: SyncMode, entries: number, concurrent: number): Promise<number> {
  const path = join(directory, `${sync}-${fileRuns++}`);
  const trail = await openTrail(await FileAuditStore.open(`${path}.jsonl`, { sync }), await FileCheckpointStore.open(`${path}.checkpoints.jsonl`));
  return concurrentRun(trail, entries, concurrent);
}
try {
  await measure('append-file-fsync-per-entry', 'entries/s', () => fileRun('per-line', 400, 1));
  await measure('append-file-batched-64', 'entries/s', () => fileRun('per-call', 12_800, 64));
} finally {
  await rm(directory, { recursive: true, force: true });
}

const anchors = await sample.checkpoints.readAll();
await measureAgainstBaseline('verify-100k-entries', 'entries/s', () => {
  const started = performance.now();
  const report = verifyChain(sample.lines, { checkpoints: anchors, verifier: signer, logId });
  if (!report.ok) throw new Error(`the benchmark log failed verification: ${report.problem.message}`);
  return perSecond(sample.lines.length, started);
});
// With an odd number of runs, the median time is exactly the median rate turned around.
const verifyTime = (sample.lines.length / (results.get('verify-100k-entries') as number)) * 1000;
console.log(`verify-100k-entries-time: ${Math.round(verifyTime)} ms (median of ${RUNS} runs)`);

// A fixed stride through the log, so every run proves the same leaves.
const indices = Array.from({ length: 20_000 }, (_, i) => (i * 7_919 + 13) % sample.trail.size);
const proofs = indices.map((index) => sample.trail.proveInclusion(index));
await measure('inclusion-proof-generate', 'proofs/s', () => {
  const started = performance.now();
  for (const index of indices) sample.trail.proveInclusion(index);
  return perSecond(indices.length, started);
});
const root = Buffer.from(sample.trail.rootHash(), 'hex');
const leaves = indices.map((index) => Buffer.from((sample.lines[index] as string).slice(-66, -2), 'hex'));
const paths = proofs.map((proof) => proof.path.map((node) => Buffer.from(node, 'hex')));
await measure('inclusion-proof-verify', 'proofs/s', () => {
  const started = performance.now();
  for (const [i, proof] of proofs.entries()) {
    if (!rootFromInclusionProof(proof.index, proof.size, leaves[i] as Buffer, paths[i] as Buffer[]).equals(root)) throw new Error('a benchmark proof failed');
  }
  return perSecond(proofs.length, started);
});

// The project's goal for appends in memory and for verification is 0.3 x or more.
for (const [name, ratio] of ratios) console.log(`${name}-vs-baseline: ${ratio.toFixed(2)} x (median of ${RUNS} runs)`);
