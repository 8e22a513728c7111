// Random interleavings of claims, renewals, results, failures, lease expiries, worker crashes
// and coordinator restarts, against a small model of who holds each shard.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FencingTokenRejected, mergeMission } from '../src/index.ts';
import type { Blackboard, Claim, Json } from '../src/index.ts';
import { openBoard } from './support/boards.ts';
import type { OpenedBoard, StoreKind } from './support/boards.ts';

const T0 = 1_700_000_000_000;
const TTL = 1_000;
const SHARDS = 6;
const MAX_ATTEMPTS = 3;
const WORKERS = 3;

type Op =
  | { readonly op: 'claim'; readonly worker: number }
  | { readonly op: 'renew'; readonly worker: number; readonly pick: number }
  | { readonly op: 'complete'; readonly worker: number; readonly pick: number }
  | { readonly op: 'fail'; readonly worker: number; readonly pick: number }
  | { readonly op: 'advance'; readonly ms: number }
  | { readonly op: 'crash'; readonly worker: number }
  | { readonly op: 'coordinate' };

const worker = fc.integer({ min: 0, max: WORKERS - 1 });
const pick = fc.nat(5);
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('claim' as const), worker }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('renew' as const), worker, pick }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('complete' as const), worker, pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('fail' as const), worker, pick }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 1_500 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('crash' as const), worker }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('coordinate' as const) }) },
);

// The model: which token holds each shard until when, and what was accepted.
interface ModelShard {
  token: number | undefined;
  expiresAt: number;
  status: 'ready' | 'running' | 'done' | 'failed';
  accepted: Json | undefined;
  acceptedCount: number;
}

const sum = (results: ReadonlyMap<string, Json>): Json => [...results.entries()].map(([key, value]) => `${key}=${String(value)}`).sort().join(',');

async function runScenario(board: Blackboard, mission: string, ops: readonly Op[]): Promise<void> {
  await board.postMission({ id: mission, shards: Array.from({ length: SHARDS }, (_, i) => ({ key: `s${i}`, type: 'review', input: i, maxAttempts: MAX_ATTEMPTS, backoff: { baseMs: 50, maxMs: 200 } })) }, T0);
  let now = T0;
  const held: Claim[][] = Array.from({ length: WORKERS }, () => []);
  const model = new Map<string, ModelShard>();
  for (let i = 0; i < SHARDS; i++) model.set(`${mission}/s${i}`, { token: undefined, expiresAt: 0, status: 'ready', accepted: undefined, acceptedCount: 0 });
  const holds = (claim: Claim): boolean => {
    const shard = model.get(claim.shardId) as ModelShard;
    return shard.status === 'running' && shard.token === claim.token && now < shard.expiresAt;
  };
  let merged: Json | undefined;

  for (const step of ops) {
    switch (step.op) {
      case 'claim': {
        const claim = await board.claim({ worker: `w${step.worker}`, type: 'review', now, ttlMs: TTL });
        if (claim === undefined) break;
        const shard = model.get(claim.shardId) as ModelShard;
        // Never hand out a shard that is held, done or failed.
        expect(shard.status === 'done' || shard.status === 'failed').toBe(false);
        expect(shard.status === 'running' && now < shard.expiresAt).toBe(false);
        if (shard.token !== undefined) expect(claim.token).toBeGreaterThan(shard.token);
        Object.assign(shard, { token: claim.token, expiresAt: claim.expiresAt, status: 'running' });
        held[step.worker]?.push(claim);
        break;
      }
      case 'renew':
      case 'complete':
      case 'fail': {
        const claims = held[step.worker] as Claim[];
        const claim = claims[step.pick % Math.max(1, claims.length)];
        if (claim === undefined) break;
        const expected = holds(claim);
        const shard = model.get(claim.shardId) as ModelShard;
        try {
          if (step.op === 'renew') {
            const renewed = await board.renew(claim, { now, ttlMs: TTL });
            shard.expiresAt = renewed.expiresAt;
            claims[claims.indexOf(claim)] = renewed;
          } else if (step.op === 'complete') {
            const outcome = `${claim.shardId}@${claim.token}`;
            await board.complete(claim, outcome, now);
            shard.status = 'done';
            shard.accepted = outcome;
            shard.acceptedCount++;
            claims.splice(claims.indexOf(claim), 1);
          } else {
            const failed = await board.fail(claim, `attempt ${claim.attempt} failed`, now);
            shard.status = failed.status === 'failed' ? 'failed' : 'ready';
            shard.token = undefined;
            claims.splice(claims.indexOf(claim), 1);
          }
          // Accepted: the model must agree the claim held the shard at this moment.
          expect(expected, `${step.op} by stale token ${claim.token} was accepted`).toBe(true);
        } catch (error) {
          if (!(error instanceof FencingTokenRejected)) throw error;
          // Refused: only a claim that no longer held the shard, and then nothing changed.
          expect(expected, `${step.op} by holding token ${claim.token} was refused: ${error.message}`).toBe(false);
          claims.splice(claims.indexOf(claim), 1);
        }
        break;
      }
      case 'advance':
        now += step.ms;
        break;
      case 'crash':
        held[step.worker] = [];
        break;
      case 'coordinate': {
        // A new coordinator every time: it has nothing but the board.
        const outcome = await mergeMission(board, mission, `coordinator-${now}`, sum);
        if (outcome.status === 'merged') {
          merged ??= outcome.result;
          expect(outcome.result).toEqual(merged);
        }
        break;
      }
    }
    await checkBoard(board, mission, model);
  }

  // Then one worker lives and works until nothing is left: every shard ends done or failed.
  for (let round = 0; round < SHARDS * MAX_ATTEMPTS + 5; round++) {
    const claim = await board.claim({ worker: 'survivor', type: 'review', now, ttlMs: TTL });
    if (claim === undefined) {
      const open = [...model.values()].filter((shard) => shard.status === 'ready' || shard.status === 'running');
      if (open.length === 0) break;
      now += TTL + 200; // wait out leases and back-offs
      continue;
    }
    const shard = model.get(claim.shardId) as ModelShard;
    await board.complete(claim, `${claim.shardId}@${claim.token}`, now);
    Object.assign(shard, { status: 'done', accepted: `${claim.shardId}@${claim.token}`, acceptedCount: shard.acceptedCount + 1 });
  }
  const views = await board.mission(mission);
  for (const view of views) {
    expect(['done', 'failed']).toContain(view.status);
    if (view.status === 'failed') {
      expect(view.runs).toHaveLength(MAX_ATTEMPTS);
      for (const run of view.runs) expect(run.reason).toBeTruthy();
    }
  }
  await checkBoard(board, mission, model);
  const final = await mergeMission(board, mission, 'last-coordinator', sum);
  if (views.every((view) => view.status === 'done')) {
    expect(final.status).toBe('merged');
    const expected = sum(new Map(views.map((view) => [view.shard.key, (model.get(view.shard.id) as ModelShard).accepted as Json])));
    expect(final).toMatchObject({ result: expected });
  } else {
    expect(final.status === 'failed' || final.status === 'merged').toBe(true);
  }
}

// After every step: the board agrees with the model; at most one accepted result per shard, and
// it is the one the model saw accepted (no write lost silently, none by a stale token).
async function checkBoard(board: Blackboard, mission: string, model: Map<string, ModelShard>): Promise<void> {
  for (const view of await board.mission(mission)) {
    const shard = model.get(view.shard.id) as ModelShard;
    expect(shard.acceptedCount).toBeLessThanOrEqual(1);
    const succeeded = view.runs.filter((run) => run.status === 'succeeded');
    expect(succeeded).toHaveLength(shard.acceptedCount);
    if (shard.status === 'done') expect(view).toMatchObject({ status: 'done', result: shard.accepted });
    else expect(view.result).toBeUndefined();
    expect(view.runs.map((run) => run.attempt)).toEqual(view.runs.map((_, i) => i + 1));
    expect(view.runs.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
    expect(view.runs.slice(0, -1).every((run) => run.status !== 'running')).toBe(true);
    const tokens = view.runs.map((run) => run.token);
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
  }
}

const RUNS: Record<StoreKind, number> = { memory: 200, pglite: 20, server: 10 };

describe.each(['memory', 'pglite', 'server'] as const)('random interleavings on %s', (kind) => {
  let opened: OpenedBoard;
  beforeEach(async () => {
    opened = await openBoard(kind);
  });
  afterEach(async () => {
    await opened.close();
  });

  it('never completes a shard twice, never accepts a stale token, loses no write, and finishes every shard while one worker lives', async () => {
    let missions = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 5, maxLength: 60 }), async (ops) => {
        await runScenario(opened.board, `p${++missions}`, ops);
      }),
      { numRuns: RUNS[kind] },
    );
  });
});
