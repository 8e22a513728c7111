// The contract both mission stores implement, and the checks they share. The conformance suite
// in test/store-conformance.test.ts runs the same cases against each.
import { hostname } from 'node:os';
import { InvalidOptionError, durationMs, wholeNumber } from '@12-factor-agentops/core';
import { FencingTokenRejected } from '@12-factor-agentops/sql';
import type { Lease, LeaseLossReason } from '@12-factor-agentops/sql';
import { isMissionId } from './journal.ts';
import type { OwnedRecord, StoredRecord } from './journal.ts';

/** Who a worker is: a name, and where it runs, so a dead owner can be recognised on its host. */
export interface WorkerIdentity {
  readonly worker: string;
  readonly host: string;
  readonly pid: number;
}

/** A worker's exclusive claim on a mission until `expiresAt`, fenced by `token`. */
export interface Ownership extends WorkerIdentity {
  readonly missionId: string;
  readonly token: number;
  /** ms since the epoch; the claim holds while `now < expiresAt`. */
  readonly expiresAt: number;
}

/** How a claim replaced the previous owner, reported through `onTakeover`. */
export interface Takeover {
  readonly missionId: string;
  readonly previous: Ownership;
  readonly why: 'lease-expired' | 'owner-process-dead';
}

export interface MissionStore {
  /** Where the store keeps its data, for messages (a directory, or a database target). */
  readonly where: string;
  /** Where one mission's records are, as error messages name it (a journal path, or a table and key). */
  locate(missionId: string): string;
  /** Records a new mission in state `pending`; `MissionExists` if the id is taken. */
  create(missionId: string, steps: readonly string[], now: number): Promise<void>;
  /**
   * Takes exclusive ownership with a new, larger fencing token and records the claim. A previous
   * owner is replaced when its lease has expired, or when it ran on this host and its process is
   * gone. Throws `MissionOwned` while a live owner holds it, `MissionNotFound` for an unknown id.
   */
  claim(missionId: string, worker: WorkerIdentity, now: number, ttlMs: number): Promise<Ownership>;
  /** Extends the claim to `now + ttlMs`; `FencingTokenRejected` if it no longer holds. */
  renew(ownership: Ownership, now: number, ttlMs: number): Promise<Ownership>;
  /**
   * Writes one record under the claim; refused with `FencingTokenRejected` (nothing written) when
   * another owner holds the mission or the claim has expired. Returns the record's position.
   */
  append(ownership: Ownership, record: OwnedRecord, now: number): Promise<StoredRecord>;
  /** Gives the mission up; a claim that no longer holds is left alone. */
  release(ownership: Ownership, now: number): Promise<void>;
  /** Every record after position `afterSeq` (default 0: all), in order. `MissionNotFound` for an unknown id. */
  read(missionId: string, afterSeq?: number): Promise<StoredRecord[]>;
  close(): Promise<void>;
}

/** This process, as a worker named `worker`. */
export function thisProcess(worker: string): WorkerIdentity {
  return { worker: checkWorkerName(worker), host: hostname(), pid: process.pid };
}

/** Whether a process with `pid` exists on this host (EPERM means it exists under another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a previous owner may be replaced at `now`, or undefined while it holds. */
export function staleness(owner: Ownership, now: number): Takeover['why'] | undefined {
  if (owner.expiresAt <= now) return 'lease-expired';
  if (owner.host === hostname() && !isProcessAlive(owner.pid)) return 'owner-process-dead';
  return undefined;
}

/** The rejection of a write under `ownership`, in the sql package's terms, so callers catch one error type. */
export function fencingRejection(ownership: Ownership, reason: LeaseLossReason, current?: Ownership, expiredAt?: number): FencingTokenRejected {
  return new FencingTokenRejected(
    asLease(ownership),
    reason,
    current === undefined ? undefined : { owner: describeOwner(current), token: current.token },
    expiredAt,
  );
}

export function asLease(ownership: Ownership): Lease {
  return { queue: missionQueue(ownership.missionId), item: ownership.missionId, owner: describeOwner(ownership), token: ownership.token, expiresAt: ownership.expiresAt };
}

export function describeOwner(owner: WorkerIdentity): string {
  return `${owner.worker}@${owner.host}:${owner.pid}`;
}

/** The lease queue of one mission: each mission is its own queue of one item. */
export function missionQueue(missionId: string): string {
  return `mission:${missionId}`;
}

export function checkMissionId(value: unknown): string {
  if (!isMissionId(value)) {
    throw new InvalidOptionError('missionId', 'letters, digits, ".", "_" or "-", 1 to 128 characters, starting with a letter or digit', value);
  }
  return value;
}

export function checkWorkerName(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 100) throw new InvalidOptionError('worker', 'a non-empty string of at most 100 characters', value);
  return value;
}

export function checkSteps(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > 10_000) throw new InvalidOptionError('steps', 'a list of at most 10000 step names', value);
  const steps: string[] = [];
  for (const [index, step] of value.entries()) {
    if (typeof step !== 'string' || step === '' || step.length > 200) throw new InvalidOptionError(`steps[${index}]`, 'a non-empty string of at most 200 characters', step);
    if (steps.includes(step)) throw new InvalidOptionError(`steps[${index}]`, 'a step name not used before in the list', step);
    steps.push(step);
  }
  return steps;
}

export function checkNow(value: unknown): number {
  return wholeNumber('now', value, 0, 8.64e15);
}

export function checkTtl(value: unknown): number {
  return durationMs('ttlMs', value);
}

export function checkIdentity(identity: WorkerIdentity): WorkerIdentity {
  checkWorkerName(identity.worker);
  if (typeof identity.host !== 'string' || identity.host === '') throw new InvalidOptionError('host', 'a non-empty string', identity.host);
  wholeNumber('pid', identity.pid, 1);
  return { worker: identity.worker, host: identity.host, pid: identity.pid };
}
