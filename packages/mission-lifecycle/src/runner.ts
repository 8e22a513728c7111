// A stateless worker: everything it knows about a mission it reads from the store on `resume`,
// and every transition and finished step is in the store before the worker acts on it.
import { durationMs, readClock, sleep, systemClock, systemScheduler } from '@12-factor-agentops/core';
import type { Clock } from '@12-factor-agentops/core';
import { DEFAULT_LEASE_TTL_MS, DEFAULT_POLL_INTERVAL_MS } from './defaults.ts';
import { MissionOwned, StepFailed } from './errors.ts';
import { replay, stepKey } from './journal.ts';
import type { MissionSnapshot, OwnedRecord, StoredRecord } from './journal.ts';
import { nextState } from './lifecycle.ts';
import type { MissionEvent } from './lifecycle.ts';
import { checkTtl } from './store.ts';
import type { MissionStore, Ownership, WorkerIdentity } from './store.ts';

/** What a step function is given: its idempotency key goes to every tool call with an effect. */
export interface StepContext {
  readonly missionId: string;
  readonly step: string;
  /** The same on every run of this step, so a repeated run can be recognised by the tool. */
  readonly key: string;
  /** The fencing token of this run; a downstream system may refuse a smaller one than it has seen. */
  readonly token: number;
}

export type StepFunction = (context: StepContext) => Promise<void>;

export interface ResumeOptions {
  readonly store: MissionStore;
  readonly worker: WorkerIdentity;
  /** The work of each step, by name. */
  readonly steps: Readonly<Record<string, StepFunction>>;
  readonly clock?: Clock;
  /** How long a claim holds; renewed before each step once half of it has passed. Default 30 s. */
  readonly ttlMs?: number;
  /** Told about every record this worker wrote, after it is durable. */
  readonly onRecord?: (stored: StoredRecord) => void;
}

/**
 * Claims `missionId`, rebuilds it from the store, and runs it from where the records say it is:
 * a pending mission is planned and started, each step not recorded done is run (a step started
 * but not recorded done runs again), and the mission completes. A paused, blocked or finished
 * mission is left as it is. Returns the mission as recorded at the end.
 *
 * Throws `MissionOwned` while another worker holds it, `FencingTokenRejected` when this worker
 * lost it mid-way (stop: the new owner continues), `StepFailed` after recording `failed`.
 */
export async function resume(missionId: string, options: ResumeOptions): Promise<MissionSnapshot> {
  const clock = options.clock ?? systemClock;
  const ttlMs = checkTtl(options.ttlMs ?? DEFAULT_LEASE_TTL_MS);
  const now = (): number => readClock(clock, 'the worker clock');
  const { store } = options;
  let ownership = await store.claim(missionId, options.worker, now(), ttlMs);
  try {
    let records = await store.read(missionId);
    let mission = replay(missionId, records, store.locate(missionId));
    const claimed = records.findLast((stored) => stored.record.kind === 'claimed' && stored.record.token === ownership.token);
    if (claimed !== undefined) options.onRecord?.(claimed);
    const write = async (record: OwnedRecord): Promise<void> => {
      const stored = await store.append(ownership, record, now());
      records = [...records, stored];
      mission = replay(missionId, records, store.locate(missionId));
      options.onRecord?.(stored);
    };
    // #region persist-before-effect
    const transition = async (event: MissionEvent, reason?: string): Promise<void> => {
      const to = nextState(mission.state, event, mission); // throws before anything is written
      const base = { kind: 'transition' as const, token: ownership.token, event, from: mission.state, to, at: now() };
      await write(reason === undefined ? base : { ...base, reason });
    };
    if (mission.state === 'pending') await transition('PLAN');
    if (mission.state === 'planning') await transition('START');
    if (mission.state !== 'running') return mission;
    for (const step of mission.steps) {
      if (mission.done.has(step)) continue; // recorded done: never run again
      const run = options.steps[step];
      if (run === undefined) throw new RangeError(`mission "${missionId}" has step "${step}" but no step function was given for it`);
      if (ownership.expiresAt - now() < ttlMs / 2) ownership = await store.renew(ownership, now(), ttlMs);
      const key = stepKey(missionId, step);
      await write({ kind: 'step-started', token: ownership.token, step, key, at: now() });
      try {
        await run({ missionId, step, key, token: ownership.token });
      } catch (error) {
        await transition('FAIL', `step "${step}": ${error instanceof Error ? error.message : String(error)}`);
        throw new StepFailed(missionId, step, error);
      }
      await write({ kind: 'step-done', token: ownership.token, step, key, at: now() });
    }
    await transition('COMPLETE');
    // #endregion persist-before-effect
    return mission;
  } finally {
    await store.release(ownership, now()).catch(() => undefined);
  }
}

/**
 * Moves a mission by one event as its owner (pause, cancel, block, unblock, resume): claims it,
 * checks the table against the recorded state, writes the transition, releases. Throws
 * `InvalidTransition` with nothing written when the table refuses.
 */
export async function sendEvent(
  missionId: string,
  event: MissionEvent,
  options: { readonly store: MissionStore; readonly worker: WorkerIdentity; readonly clock?: Clock; readonly reason?: string },
): Promise<MissionSnapshot> {
  const clock = options.clock ?? systemClock;
  const now = (): number => readClock(clock, 'the worker clock');
  // Checked before the claim too, so a refused event leaves no record at all (not even a claim).
  const seen = await loadMission(options.store, missionId);
  nextState(seen.state, event, seen);
  const ownership: Ownership = await options.store.claim(missionId, options.worker, now(), DEFAULT_LEASE_TTL_MS);
  try {
    const records = await options.store.read(missionId);
    const mission = replay(missionId, records, options.store.locate(missionId));
    const to = nextState(mission.state, event, mission);
    const base = { kind: 'transition' as const, token: ownership.token, event, from: mission.state, to, at: now() };
    const stored = await options.store.append(ownership, options.reason === undefined ? base : { ...base, reason: options.reason }, now());
    return replay(missionId, [...records, stored], options.store.locate(missionId));
  } finally {
    await options.store.release(ownership, now()).catch(() => undefined);
  }
}

/** The mission as its records describe it, without claiming it. */
export async function loadMission(store: MissionStore, missionId: string): Promise<MissionSnapshot> {
  return replay(missionId, await store.read(missionId), store.locate(missionId));
}

/**
 * `resume`, retried while another worker owns the mission: every `pollIntervalMs` (default
 * 1000 ms) until the owner's lease runs out or its process is found dead. An abort signal ends
 * the wait with `SleepAborted`.
 */
export async function resumeWhenFree(
  missionId: string,
  options: ResumeOptions & { readonly pollIntervalMs?: number; readonly signal?: AbortSignal; readonly onWait?: (owned: MissionOwned) => void },
): Promise<MissionSnapshot> {
  const pollIntervalMs = durationMs('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  for (;;) {
    try {
      return await resume(missionId, options);
    } catch (error) {
      if (!(error instanceof MissionOwned)) throw error;
      options.onWait?.(error);
      await sleep(systemScheduler, pollIntervalMs, options.signal);
    }
  }
}
