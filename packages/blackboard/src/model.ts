// The board's data: entries, shards (intent) and shard runs (execution), and the checks every
// store applies before it writes anything.
import { InvalidOptionError, durationMs, wholeNumber } from '@12-factor-agentops/core';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_INPUT_BYTES } from './defaults.ts';
import { InputTooLarge, NotJson, UnknownShardType } from './errors.ts';

/** Plain JSON: what the board stores. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** A versioned entry of the board. Version 1 is the first write; every write adds one. */
export interface Entry {
  readonly key: string;
  readonly value: Json;
  readonly version: number;
  /** The board revision of the write that made this version. */
  readonly revision: number;
}

/**
 * One thing that changed after a revision: its latest state carries `revision`. A run never
 * changes without its shard (opening, ending or expiring a run moves the shard too), so a
 * shard change covers its runs: read them with `shard(id)`.
 */
export interface Change {
  readonly kind: 'entry' | 'shard';
  /** The entry key or the shard id. */
  readonly id: string;
  readonly revision: number;
}

/** What `changesSince` returns: changes in revision order, and the revision to ask from next. */
export interface Changes {
  readonly changes: readonly Change[];
  /** The largest revision listed, or the one asked from when nothing changed. */
  readonly revision: number;
}

/** The desired piece of work, as posted. */
export interface ShardSpec {
  /** The idempotency key, unique within the mission: posting it again with the same intent changes nothing. */
  readonly key: string;
  /** The kind of agent that does it: the board routes the shard to workers of this type. */
  readonly type: string;
  readonly input: Json;
  readonly maxAttempts?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
}

/** A mission: shards that a coordinator merges once every one is done. */
export interface MissionSpec {
  readonly id: string;
  readonly shards: readonly ShardSpec[];
}

// #region shard-and-run
/** A shard as accepted: immutable. Its id is `<mission>/<key>`. */
export interface Shard {
  readonly id: string;
  readonly mission: string;
  readonly key: string;
  readonly type: string;
  readonly input: Json;
  readonly maxAttempts: number;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly createdAt: number;
}

export type ShardStatus = 'ready' | 'running' | 'done' | 'failed';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'expired';

/** One attempt at a shard. A retry is a new run; a run that ended is never reopened. */
export interface ShardRun {
  readonly shardId: string;
  readonly attempt: number;
  readonly worker: string;
  /** The fencing token of the lease this run holds. */
  readonly token: number;
  readonly status: RunStatus;
  readonly startedAt: number;
  readonly endedAt: number | null;
  /** The result, for a succeeded run. */
  readonly outcome: Json | undefined;
  /** Why the run ended without a result (the worker's error, or that its lease expired). */
  readonly reason: string | null;
}
// #endregion shard-and-run

/** A shard with where it stands and every run so far. */
export interface ShardView {
  readonly shard: Shard;
  readonly status: ShardStatus;
  readonly result: Json | undefined;
  readonly runs: readonly ShardRun[];
}

/** The claim a worker holds on a shard: what it works on and the token that proves it. */
export interface Claim {
  readonly shardId: string;
  readonly mission: string;
  readonly type: string;
  readonly input: Json;
  readonly attempt: number;
  readonly worker: string;
  readonly token: number;
  readonly expiresAt: number;
}

/** What `fail` did with the shard. */
export type FailOutcome = { readonly status: 'retrying'; readonly readyAt: number } | { readonly status: 'failed' };

/** Options every board takes. */
export interface BoardOptions {
  /** The shard types the board routes; a shard of any other type is refused. */
  readonly shardTypes: readonly string[];
  /** The largest shard input as UTF-8 bytes of JSON; default 64 KiB. */
  readonly maxInputBytes?: number;
}

/** The checked board options. */
export interface BoardRules {
  readonly shardTypes: readonly string[];
  readonly maxInputBytes: number;
}

export function boardRules(options: BoardOptions): BoardRules {
  if (!Array.isArray(options.shardTypes) || options.shardTypes.length === 0) {
    throw new InvalidOptionError('shardTypes', 'a non-empty array of type names', options.shardTypes);
  }
  const shardTypes = options.shardTypes.map((type, i) => checkName(`shardTypes[${i}]`, type));
  const maxInputBytes = wholeNumber('maxInputBytes', options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES, 2, 100 * 1_048_576);
  return { shardTypes, maxInputBytes };
}

/**
 * A name (mission, shard key, shard type, worker): a non-empty string of at most 96 characters
 * without "/" or "#", which join ids. The bound keeps a shard id within a lease item's 200.
 */
export function checkName(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 96 || /[/#]/.test(value)) {
    throw new InvalidOptionError(option, 'a non-empty string of at most 96 characters without "/" or "#"', value);
  }
  return value;
}

/** An entry key: a non-empty string of at most 500 characters. */
export function checkKey(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 500) {
    throw new InvalidOptionError('key', 'a non-empty string of at most 500 characters', value);
  }
  return value;
}

/** Checks a shard id of the form `<mission>/<key>`. */
export function checkShardId(value: unknown): string {
  if (typeof value !== 'string' || value.length > 193 || !/^[^/#]+\/[^/#]+$/.test(value)) {
    throw new InvalidOptionError('shardId', 'a shard id "<mission>/<key>"', value);
  }
  return value;
}

const MAX_TIME_MS = 8.64e15;

/** The most shards one `postMission` call accepts; a mission may be posted in several parts. */
export const MAX_SHARDS_PER_POST = 10_000;

export function checkTime(option: string, value: unknown): number {
  return wholeNumber(option, value, 0, MAX_TIME_MS);
}

/**
 * Copies `value` as plain JSON, or throws `NotJson` naming the path of the first thing that is
 * not: undefined, a function, a symbol, a bigint, NaN or ±Infinity, a class instance, a getter
 * (it could answer differently on each read), a cycle, or nesting deeper than 64.
 */
export function plainJson(where: string, value: unknown, depth = 0, seen: Set<object> = new Set()): Json {
  if (depth > 64) throw new NotJson(where, 'nested deeper than 64 levels');
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotJson(where, `${String(value)} has no JSON form`);
    return Object.is(value, -0) ? 0 : value;
  }
  if (typeof value !== 'object') throw new NotJson(where, `a ${typeof value}`);
  if (seen.has(value)) throw new NotJson(where, 'it refers to itself (a cycle)');
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item, i) => plainJson(`${where}[${i}]`, item as unknown, depth + 1, seen));
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new NotJson(where, `an instance of ${(value as object).constructor?.name ?? 'a class'}`);
    const copy: Record<string, Json> = {};
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === 'symbol') throw new NotJson(where, 'a symbol key');
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor === undefined || !descriptor.enumerable) continue;
      if (!('value' in descriptor)) throw new NotJson(`${where}.${key}`, 'a getter');
      copy[key] = plainJson(`${where}.${key}`, descriptor.value as unknown, depth + 1, seen);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

/** JSON text with object keys sorted: equal values give equal text (PostgreSQL's jsonb reorders keys). */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly Json[]).map(canonicalJson).join(',')}]`;
  const object = value as { readonly [key: string]: Json };
  return `{${Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] as Json)}`)
    .join(',')}}`;
}

/** Checks a mission against the board's rules and returns its shards as the board will hold them. Throws before anything is written. */
export function acceptMission(rules: BoardRules, mission: MissionSpec, now: number): Shard[] {
  const missionId = checkName('mission.id', mission.id);
  if (!Array.isArray(mission.shards) || mission.shards.length === 0 || mission.shards.length > MAX_SHARDS_PER_POST) {
    throw new InvalidOptionError('mission.shards', `an array of 1 to ${MAX_SHARDS_PER_POST} shards (post a larger mission in parts)`, mission.shards);
  }
  const keys = new Set<string>();
  return mission.shards.map((spec, i) => {
    const key = checkName(`mission.shards[${i}].key`, spec.key);
    if (keys.has(key)) throw new InvalidOptionError(`mission.shards[${i}].key`, 'unique within the mission', key);
    keys.add(key);
    const type = checkName(`mission.shards[${i}].type`, spec.type);
    if (!rules.shardTypes.includes(type)) throw new UnknownShardType(key, type, rules.shardTypes);
    const input = plainJson(`shard "${key}" input`, spec.input);
    const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
    if (bytes > rules.maxInputBytes) throw new InputTooLarge(key, bytes, rules.maxInputBytes);
    const maxAttempts = wholeNumber(`mission.shards[${i}].maxAttempts`, spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, 1, 1_000);
    const baseMs = durationMs(`mission.shards[${i}].backoff.baseMs`, spec.backoff?.baseMs ?? DEFAULT_BACKOFF_BASE_MS, { min: 0 });
    const maxMs = durationMs(`mission.shards[${i}].backoff.maxMs`, spec.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS, { min: baseMs });
    return { id: `${missionId}/${key}`, mission: missionId, key, type, input, maxAttempts, backoff: { baseMs, maxMs }, createdAt: now };
  });
}

/** Which field of an accepted shard a new posting would change, if any. */
export function changedField(accepted: Shard, posted: Shard): string | undefined {
  if (accepted.type !== posted.type) return 'type';
  if (canonicalJson(accepted.input) !== canonicalJson(posted.input)) return 'input';
  if (accepted.maxAttempts !== posted.maxAttempts) return 'maxAttempts';
  if (accepted.backoff.baseMs !== posted.backoff.baseMs || accepted.backoff.maxMs !== posted.backoff.maxMs) return 'backoff';
  return undefined;
}

/** The wait before the run after failed attempt `attempt` (1-based): base × 2^(attempt−1), at most max. */
export function backoffMs(backoff: Shard['backoff'], attempt: number): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt - 1, 40));
}

/** The reason recorded for a run whose lease ran out, closed by the claim at `now` that opened the next run. */
export function expiredReason(now: number): string {
  return `lease ran out without a result; closed by the next claim at ${new Date(now).toISOString()}`;
}
