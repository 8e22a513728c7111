// What a mission's journal holds, how a stored record is checked on the way in, and the one
// pure fold that rebuilds a mission from its records. Both stores and the runner use `replay`,
// so "what the mission is" is always "what was recorded", never what a process remembers.
import { InvalidTransition, JournalCorrupt, UnknownMissionState } from './errors.ts';
import { isMissionEvent, isMissionState, nextState } from './lifecycle.ts';
import type { MissionEvent, MissionState } from './lifecycle.ts';

/** The mission exists, with its steps in order. Always the first record. */
export interface CreatedRecord {
  readonly kind: 'created';
  readonly steps: readonly string[];
  readonly at: number;
}

/** A worker took ownership with `token`, larger than every token before it on this mission. */
export interface ClaimedRecord {
  readonly kind: 'claimed';
  readonly token: number;
  readonly worker: string;
  readonly host: string;
  readonly pid: number;
  readonly at: number;
}

/** The lifecycle moved, written before the worker acts on the new state. */
export interface TransitionRecord {
  readonly kind: 'transition';
  readonly token: number;
  readonly event: MissionEvent;
  readonly from: MissionState;
  readonly to: MissionState;
  readonly reason?: string;
  readonly at: number;
}

/** A step is about to run; its key goes to the tool so a repeated run can be recognised. */
export interface StepStartedRecord {
  readonly kind: 'step-started';
  readonly token: number;
  readonly step: string;
  readonly key: string;
  readonly at: number;
}

/** A step finished; it is never run again. */
export interface StepDoneRecord {
  readonly kind: 'step-done';
  readonly token: number;
  readonly step: string;
  readonly key: string;
  readonly at: number;
}

export type MissionRecord = CreatedRecord | ClaimedRecord | TransitionRecord | StepStartedRecord | StepDoneRecord;
/** A record an owner writes: the store adds nothing but its position. */
export type OwnedRecord = ClaimedRecord | TransitionRecord | StepStartedRecord | StepDoneRecord;

/** A record with its position in the mission's journal: the SSE event id. */
export interface StoredRecord {
  readonly seq: number;
  readonly record: MissionRecord;
}

/** A mission as its records describe it. */
export interface MissionSnapshot {
  readonly missionId: string;
  readonly steps: readonly string[];
  readonly state: MissionState;
  readonly done: ReadonlySet<string>;
  /** Steps started and not recorded done: they run again on resume. */
  readonly interrupted: ReadonlySet<string>;
  /** The largest fencing token claimed so far (0 before the first claim). */
  readonly token: number;
  /** Position of the last record folded in. */
  readonly lastSeq: number;
  /** Records that came with a token older than one already claimed: a paused owner's late writes, ignored. */
  readonly lateWritesIgnored: readonly StoredRecord[];
  /** The accepted records, in order. */
  readonly accepted: readonly StoredRecord[];
}

/** The idempotency key of a step: the same on every run of it, so a tool can recognise a repeat. */
export function stepKey(missionId: string, step: string): string {
  return `${missionId}/${step}`;
}

const MISSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Whether `id` is a valid mission id: letters, digits, `.`, `_`, `-`, 1 to 128 characters, not starting with a dot or dash. */
export function isMissionId(id: unknown): id is string {
  return typeof id === 'string' && MISSION_ID.test(id);
}

/**
 * Parses one stored record. `where` names the file and line (or table row) for the error.
 * Throws `JournalCorrupt` for anything malformed and `UnknownMissionState` for a state this
 * release does not know.
 */
export function parseRecord(value: unknown, path: string, line: number): MissionRecord {
  const fail = (problem: string): never => {
    throw new JournalCorrupt(path, line, problem);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const field = (name: string): unknown => (Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined);
  const text = (name: string): string => {
    const v = field(name);
    return typeof v === 'string' && v !== '' ? v : fail(`field "${name}" is not a non-empty string`);
  };
  const whole = (name: string, min: number): number => {
    const v = field(name);
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? v : fail(`field "${name}" is not a whole number from ${min}`);
  };
  const at = whole('at', 0);
  switch (field('kind')) {
    case 'created': {
      const steps = field('steps');
      if (!Array.isArray(steps) || !steps.every((s) => typeof s === 'string' && s !== '')) return fail('field "steps" is not a list of step names');
      if (new Set(steps).size !== steps.length) return fail('field "steps" names a step twice');
      return { kind: 'created', steps: steps as string[], at };
    }
    case 'claimed':
      return { kind: 'claimed', token: whole('token', 1), worker: text('worker'), host: text('host'), pid: whole('pid', 1), at };
    case 'transition': {
      const event = field('event');
      if (!isMissionEvent(event)) return fail(`unknown event ${JSON.stringify(event)}`);
      const from = field('from');
      const to = field('to');
      for (const state of [from, to]) if (!isMissionState(state)) throw new UnknownMissionState(state, `${path}:${line}`);
      const reason = field('reason');
      if (reason !== undefined && typeof reason !== 'string') return fail('field "reason" is not a string');
      const base = { kind: 'transition' as const, token: whole('token', 1), event, from: from as MissionState, to: to as MissionState, at };
      return reason === undefined ? base : { ...base, reason };
    }
    case 'step-started':
    case 'step-done':
      return { kind: field('kind') as 'step-started' | 'step-done', token: whole('token', 1), step: text('step'), key: text('key'), at };
    default:
      return fail(`unknown record kind ${JSON.stringify(field('kind'))}`);
  }
}

/**
 * Rebuilds a mission from its records. A record carrying a token older than the newest claim
 * before it is a late write by a superseded owner: it is set aside, never applied. Anything
 * else that does not follow (a transition the table refuses, a step the mission does not have,
 * a token from the future) is `JournalCorrupt`, naming `path` and the record's position.
 */
export function replay(missionId: string, records: readonly StoredRecord[], path: string): MissionSnapshot {
  const first = records[0];
  if (first === undefined || first.record.kind !== 'created') {
    throw new JournalCorrupt(path, first?.seq ?? 1, 'the journal does not start with a "created" record');
  }
  const steps = first.record.steps;
  const known = new Set(steps);
  let state: MissionState = 'pending';
  let token = 0;
  const done = new Set<string>();
  const interrupted = new Set<string>();
  const late: StoredRecord[] = [];
  const accepted: StoredRecord[] = [first];
  for (const stored of records.slice(1)) {
    const { record, seq } = stored;
    const fail = (problem: string): never => {
      throw new JournalCorrupt(path, seq, problem);
    };
    if (record.kind === 'created') fail('a second "created" record');
    else if (record.kind === 'claimed') {
      if (record.token <= token) {
        late.push(stored);
        continue;
      }
      token = record.token;
    } else {
      if (record.token < token) {
        late.push(stored);
        continue;
      }
      if (record.token > token) fail(`token ${record.token} was never claimed (newest claim: ${token})`);
      if (record.kind === 'transition') {
        if (record.from !== state) fail(`transition ${record.event} from "${record.from}" but the mission is "${state}"`);
        let target: MissionState;
        try {
          target = nextState(state, record.event, { steps, done });
        } catch (error) {
          const guard = error instanceof InvalidTransition ? error.guard : undefined;
          return fail(`the table refuses ${record.event} in state "${state}"${guard === undefined ? '' : ` (guard ${guard})`}`);
        }
        if (target !== record.to) fail(`transition ${record.event} from "${state}" leads to "${target}", not "${record.to}"`);
        state = target;
      } else {
        if (!known.has(record.step)) fail(`step "${record.step}" is not a step of this mission`);
        if (record.key !== stepKey(missionId, record.step)) fail(`step "${record.step}" has key "${record.key}", expected "${stepKey(missionId, record.step)}"`);
        if (record.kind === 'step-started') interrupted.add(record.step);
        else {
          interrupted.delete(record.step);
          done.add(record.step);
        }
      }
    }
    accepted.push(stored);
  }
  return { missionId, steps, state, done, interrupted, token, lastSeq: records.at(-1)?.seq ?? 0, lateWritesIgnored: late, accepted };
}
