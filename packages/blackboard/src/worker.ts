// N+1 workers: N workers claim shards from the board in parallel; one coordinator merges when
// every shard of a mission is done. Neither keeps state the board does not hold.
import { SleepAborted, durationMs, sleep, systemScheduler } from '@12-factor-agentops/core';
import type { Scheduler } from '@12-factor-agentops/core';
import { CommitOutcomeUnknown, DatabaseUnavailable, FencingTokenRejected } from '@12-factor-agentops/sql';
import type { Blackboard } from './board.ts';
import { DEFAULT_CLAIM_TTL_MS, DEFAULT_IDLE_WAIT_MS } from './defaults.ts';
import { Conflict } from './errors.ts';
import { checkName } from './model.ts';
import type { Claim, Json, ShardRun, ShardView } from './model.ts';

/** What a worker does with one shard: its result, or a throw (the run fails and may be retried). */
export type ShardHandler = (input: Json, context: { readonly claim: Claim; readonly signal: AbortSignal }) => Promise<Json>;

/** What a worker tells its observer. */
export type WorkerEvent =
  | { readonly kind: 'claimed'; readonly claim: Claim }
  | { readonly kind: 'completed'; readonly claim: Claim }
  | { readonly kind: 'failed'; readonly claim: Claim; readonly reason: string; readonly retrying: boolean }
  | { readonly kind: 'refused'; readonly claim: Claim; readonly error: FencingTokenRejected }
  | { readonly kind: 'store-error'; readonly error: Error };

export interface WorkerOptions {
  readonly board: Blackboard;
  /** This worker's name, recorded on each run. */
  readonly worker: string;
  /** The kind of agent this worker is: it claims shards of this type only. */
  readonly type: string;
  readonly handle: ShardHandler;
  /** Claim lifetime; renewed every third of it while the handler runs. Default 30 s. */
  readonly ttlMs?: number;
  /** Wait before looking again when nothing is ready. Default 200 ms. */
  readonly idleWaitMs?: number;
  /** Return once no shard of the type is ready, instead of waiting for more. */
  readonly stopWhenIdle?: boolean;
  readonly scheduler?: Scheduler;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: WorkerEvent) => void;
}

export interface WorkerSummary {
  readonly completed: number;
  readonly failed: number;
  /** Results or failures the board refused because the claim had been lost. */
  readonly refused: number;
  /**
   * Calls the store could not answer (`DatabaseUnavailable`, which includes the server ending a
   * session idle in a transaction past `idle_in_transaction_session_timeout`, or
   * `CommitOutcomeUnknown`). The worker
   * waits and goes on: a claim it held expires and is taken over, and a result whose commit is
   * unknown either landed or is redone by the next run.
   */
  readonly storeErrors: number;
}

/**
 * Claims shards of one type and runs `handle` on each until `signal` aborts (or, with
 * `stopWhenIdle`, until none is ready). The claim is renewed while the handler runs; if a
 * renewal is refused, the handler's signal aborts and its result is dropped. A result written
 * after the claim was lost is refused by the board and counted as `refused`.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const { board, handle, signal } = options;
  const worker = checkName('worker', options.worker);
  const type = checkName('type', options.type);
  const ttlMs = durationMs('ttlMs', options.ttlMs ?? DEFAULT_CLAIM_TTL_MS);
  const idleWaitMs = durationMs('idleWaitMs', options.idleWaitMs ?? DEFAULT_IDLE_WAIT_MS);
  const scheduler = options.scheduler ?? systemScheduler;
  const tell = (event: WorkerEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // An observer that throws must not stop the worker.
    }
  };
  const summary = { completed: 0, failed: 0, refused: 0, storeErrors: 0 };
  const idle = async (): Promise<boolean> => {
    try {
      await sleep(scheduler, idleWaitMs, signal);
      return true;
    } catch (error) {
      if (error instanceof SleepAborted) return false;
      throw error;
    }
  };
  while (signal?.aborted !== true) {
    try {
      const claim = await board.claim({ worker, type, now: scheduler.now(), ttlMs });
      if (claim === undefined) {
        if (options.stopWhenIdle === true || !(await idle())) break;
        continue;
      }
      tell({ kind: 'claimed', claim });
      await runOne(board, claim, handle, ttlMs, scheduler, summary, tell);
    } catch (error) {
      if (!isStoreOutage(error)) throw error;
      summary.storeErrors++;
      tell({ kind: 'store-error', error });
      if (!(await idle())) break;
    }
  }
  return summary;
}

function isStoreOutage(error: unknown): error is Error {
  return error instanceof DatabaseUnavailable || error instanceof CommitOutcomeUnknown;
}

async function runOne(
  board: Blackboard,
  claim: Claim,
  handle: ShardHandler,
  ttlMs: number,
  scheduler: Scheduler,
  summary: { completed: number; failed: number; refused: number; storeErrors: number },
  tell: (event: WorkerEvent) => void,
): Promise<void> {
  const lost = new AbortController();
  let current = claim;
  let renewal: Promise<void> = Promise.resolve();
  let cancel = scheduleRenewal();
  function scheduleRenewal(): () => void {
    return scheduler.setTimer(Math.max(1, Math.floor(ttlMs / 3)), () => {
      renewal = board.renew(current, { now: scheduler.now(), ttlMs }).then(
        (renewed) => {
          current = renewed;
          if (!lost.signal.aborted) cancel = scheduleRenewal();
        },
        (error: unknown) => lost.abort(error),
      );
    });
  }
  let outcome: { ok: true; value: Json } | { ok: false; reason: string };
  try {
    outcome = { ok: true, value: await handle(claim.input, { claim, signal: lost.signal }) };
  } catch (error) {
    outcome = { ok: false, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  cancel();
  await renewal;
  try {
    if (outcome.ok) {
      await board.complete(current, outcome.value, scheduler.now());
      summary.completed++;
      tell({ kind: 'completed', claim: current });
    } else {
      const failed = await board.fail(current, outcome.reason, scheduler.now());
      summary.failed++;
      tell({ kind: 'failed', claim: current, reason: outcome.reason, retrying: failed.status === 'retrying' });
    }
  } catch (error) {
    if (!(error instanceof FencingTokenRejected)) throw error;
    summary.refused++;
    tell({ kind: 'refused', claim: current, error });
  }
}

/** Where a mission stands for its coordinator. */
export type MergeOutcome =
  | { readonly status: 'pending'; readonly remaining: number }
  | { readonly status: 'failed'; readonly failed: readonly { readonly shardId: string; readonly runs: readonly ShardRun[] }[] }
  | { readonly status: 'merged'; readonly result: Json; readonly mergedBy: string };

/** The board key where a mission's merged result is kept. */
export function mergeKey(missionId: string): string {
  return `missions/${missionId}/merged`;
}

// #region merge-from-the-board
/**
 * The "+1" of N+1 workers: merges a mission once every shard is done, or reports which shards
 * failed (with every run and its reason). It reads everything from the board and writes the
 * merge with a create-only compare-and-set, so a coordinator killed at any point is replaced by
 * starting another: it finds the merge already written, or writes it. Two coordinators racing
 * write it once; the loser reads the winner's.
 */
export async function mergeMission(
  board: Blackboard,
  missionId: string,
  coordinator: string,
  merge: (results: ReadonlyMap<string, Json>) => Json,
): Promise<MergeOutcome> {
  checkName('coordinator', coordinator);
  const key = mergeKey(checkName('missionId', missionId));
  const written = await board.read(key);
  if (written !== undefined) return merged(written.value);
  const shards: readonly ShardView[] = await board.mission(missionId);
  const failed = shards.filter((view) => view.status === 'failed');
  if (failed.length > 0) return { status: 'failed', failed: failed.map((view) => ({ shardId: view.shard.id, runs: view.runs })) };
  const remaining = shards.filter((view) => view.status !== 'done').length;
  if (shards.length === 0 || remaining > 0) return { status: 'pending', remaining };
  const result = merge(new Map(shards.map((view) => [view.shard.key, view.result as Json])));
  try {
    const entry = await board.write(key, { result, mergedBy: coordinator }, { expectedVersion: 0 });
    return merged(entry.value);
  } catch (error) {
    if (!(error instanceof Conflict)) throw error;
    const winner = await board.read(key);
    if (winner === undefined) throw error;
    return merged(winner.value);
  }
}
// #endregion merge-from-the-board

function merged(value: Json): MergeOutcome {
  const record = value as { readonly result: Json; readonly mergedBy: string };
  return { status: 'merged', result: record.result, mergedBy: record.mergedBy };
}

/**
 * Waits, polling the board, until the mission is merged or has failed shards. Level-triggered:
 * each look reads the whole mission, so a missed notification costs one interval, never a result.
 */
export async function coordinate(
  board: Blackboard,
  missionId: string,
  coordinator: string,
  merge: (results: ReadonlyMap<string, Json>) => Json,
  options: { readonly pollMs?: number; readonly scheduler?: Scheduler; readonly signal?: AbortSignal } = {},
): Promise<Exclude<MergeOutcome, { status: 'pending' }>> {
  const pollMs = durationMs('pollMs', options.pollMs ?? DEFAULT_IDLE_WAIT_MS);
  const scheduler = options.scheduler ?? systemScheduler;
  for (;;) {
    const outcome = await mergeMission(board, missionId, coordinator, merge);
    if (outcome.status !== 'pending') return outcome;
    await sleep(scheduler, pollMs, options.signal);
  }
}
