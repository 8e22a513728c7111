// Shared fixtures: a trail over memory stores with a clock and ids the test controls, and a
// generator of realistic logs (tool calls, some unfinished, and gate decisions).
import fc from 'fast-check';
import { decodeUtf8Exact } from '@12-factor-agentops/core';
import {
  AuditTrail,
  MemoryAuditStore,
  MemoryCheckpointStore,
  hmacSha256Signer,
  type AuditStore,
  type AuditTrailOptions,
  type CheckpointStore,
  type JsonValue,
  type SignedCheckpoint,
  type StoredLine,
} from '../src/index.ts';

export const signer = hmacSha256Signer(Buffer.alloc(32, 0x42));
/** The id every test log signs into its checkpoints unless a test names another. */
export const LOG_ID = 'agents.example/test-log';
/** What `verifyChain` needs to check a test log's checkpoints. */
export const trusted = (checkpoints: readonly SignedCheckpoint[]): { checkpoints: readonly SignedCheckpoint[]; verifier: typeof signer; logId: string } => ({ checkpoints, verifier: signer, logId: LOG_ID });

/** A clock that moves one millisecond per reading, from a fixed start. */
export function steppingClock(startMs = Date.UTC(2026, 0, 5, 9, 0, 0)): { now(): number } {
  let now = startMs;
  return { now: () => now++ };
}

export interface Fixture {
  readonly trail: AuditTrail;
  readonly store: AuditStore;
  readonly checkpoints: CheckpointStore;
}

export async function openFixture(options: Partial<AuditTrailOptions> = {}): Promise<Fixture> {
  const store = options.store ?? new MemoryAuditStore();
  const checkpoints = options.checkpoints ?? new MemoryCheckpointStore();
  let next = 0;
  const trail = await AuditTrail.open({
    store,
    checkpoints,
    signer,
    logId: LOG_ID,
    clock: steppingClock(),
    newCallId: () => `call-${String(next++).padStart(4, '0')}`,
    ...options,
  });
  return { trail, store, checkpoints };
}

/** Stored lines as text, for tests that edit or parse them; bytes must be well-formed UTF-8. */
export function textLines(lines: readonly StoredLine[]): string[] {
  return lines.map((line) => (typeof line === 'string' ? line : decodeUtf8Exact(line, 'a stored line')));
}

/** One step of a generated log. */
export type Step =
  | { readonly kind: 'call'; readonly tool: string; readonly args: JsonValue; readonly ends: 'succeeded' | 'failed' | 'never' }
  | { readonly kind: 'gate'; readonly event: string; readonly planId: string };

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('call' as const),
    tool: fc.constantFrom('read_file', 'run_tests', 'open_pull_request', 'query_metrics'),
    args: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>,
    ends: fc.constantFrom('succeeded' as const, 'failed' as const, 'never' as const),
  }),
  fc.record({
    kind: fc.constant('gate' as const),
    event: fc.constantFrom('plan.submitted', 'approval.granted', 'execution.started'),
    planId: fc.constantFrom('plan-1', 'plan-2'),
  }),
);

/** Writes `steps` through a trail and returns the stored lines and a checkpoint over all of them. */
export async function writeLog(steps: readonly Step[], options: Partial<AuditTrailOptions> = {}): Promise<{ lines: string[]; checkpoints: SignedCheckpoint[] }> {
  const { trail, store, checkpoints } = await openFixture(options);
  for (const step of steps) {
    if (step.kind === 'gate') {
      await trail.recordGateDecision({ event: step.event, planId: step.planId, planHash: 'ab'.repeat(32), actor: 'reviewer-1', at: '2026-01-05T09:00:00.000Z', detail: { phase: 'PLAN' } });
      continue;
    }
    const intent = await trail.recordIntent({ tool: step.tool, args: step.args, actor: 'agent-1' });
    if (step.ends !== 'never') {
      await trail.recordOutcome({ callId: intent.callId as string, status: step.ends, durationMs: 3, ...(step.ends === 'failed' ? { error: 'Error: exit 1' } : { result: { ok: true } }) });
    }
  }
  await trail.checkpoint();
  return { lines: textLines(await store.readLines()), checkpoints: [...(await checkpoints.readAll())] };
}

/** The first position at which two logs differ. */
export function firstDifference(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** A store whose appends fail while `down` is true: a full disk, a lost mount, a refused grant. */
export class FlakyStore extends MemoryAuditStore {
  down = false;
  readonly batches: number[] = [];

  override async append(lines: readonly string[]): Promise<void> {
    if (this.down) throw new Error('EIO: audit volume unavailable');
    this.batches.push(lines.length);
    await super.append(lines);
  }
}

/** A checkpoint store that fails while `down` is true. */
export class FlakyCheckpointStore extends MemoryCheckpointStore {
  down = false;

  override async save(checkpoint: SignedCheckpoint): Promise<void> {
    if (this.down) throw new Error('ECONNREFUSED: checkpoint witness unreachable');
    await super.save(checkpoint);
  }
}
