// The mission lifecycle as data: one table of states and transitions, in XState's shape
// (`initial`, `states: { s: { on: { EVENT: { target, guard } } } }`), guards named in the table
// and implemented in a separate map. `nextState` is the only reader of the table; the state
// diagram on the Factor VI page is rendered from the same object.
import { InvalidTransition, UnknownMissionEvent, UnknownMissionState } from './errors.ts';

/** Every state a mission can be in. */
export const MISSION_STATES = ['pending', 'planning', 'running', 'paused', 'blocked', 'completed', 'failed', 'cancelled'] as const;
export type MissionState = (typeof MISSION_STATES)[number];

/** Every event that can move a mission. */
export const MISSION_EVENTS = ['PLAN', 'START', 'PAUSE', 'RESUME', 'BLOCK', 'UNBLOCK', 'COMPLETE', 'FAIL', 'CANCEL'] as const;
export type MissionEvent = (typeof MISSION_EVENTS)[number];

/** The facts a guard may look at: the mission's steps and which of them are recorded done. */
export interface GuardContext {
  readonly steps: readonly string[];
  readonly done: ReadonlySet<string>;
}

export const MISSION_GUARDS = {
  /** A mission with no steps has nothing to run. */
  hasSteps: (context: GuardContext) => context.steps.length > 0,
  /** Completion is a claim about the journal, not about what the worker remembers. */
  allStepsDone: (context: GuardContext) => context.steps.every((step) => context.done.has(step)),
} as const satisfies Record<string, (context: GuardContext) => boolean>;
export type MissionGuard = keyof typeof MISSION_GUARDS;

export interface TransitionSpec {
  readonly target: MissionState;
  readonly guard?: MissionGuard;
}

export interface StateSpec {
  readonly type?: 'final';
  readonly on?: Partial<Record<MissionEvent, TransitionSpec>>;
}

export interface LifecycleTable {
  readonly initial: MissionState;
  readonly states: Readonly<Record<MissionState, StateSpec>>;
}

// #region lifecycle-table
export const MISSION_LIFECYCLE = {
  initial: 'pending',
  states: {
    pending: { on: { PLAN: { target: 'planning' }, CANCEL: { target: 'cancelled' } } },
    planning: {
      on: { START: { target: 'running', guard: 'hasSteps' }, FAIL: { target: 'failed' }, CANCEL: { target: 'cancelled' } },
    },
    running: {
      on: {
        PAUSE: { target: 'paused' },
        BLOCK: { target: 'blocked' },
        COMPLETE: { target: 'completed', guard: 'allStepsDone' },
        FAIL: { target: 'failed' },
        CANCEL: { target: 'cancelled' },
      },
    },
    paused: { on: { RESUME: { target: 'running' }, CANCEL: { target: 'cancelled' } } },
    blocked: { on: { UNBLOCK: { target: 'running' }, FAIL: { target: 'failed' }, CANCEL: { target: 'cancelled' } } },
    completed: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
} as const satisfies LifecycleTable;
// #endregion lifecycle-table

const STATE_SET: ReadonlySet<string> = new Set(MISSION_STATES);
const EVENT_SET: ReadonlySet<string> = new Set(MISSION_EVENTS);

/** Whether `value` is a state this release knows. */
export function isMissionState(value: unknown): value is MissionState {
  return typeof value === 'string' && STATE_SET.has(value);
}

/** Whether `value` is an event this release knows. */
export function isMissionEvent(value: unknown): value is MissionEvent {
  return typeof value === 'string' && EVENT_SET.has(value);
}

/** Whether `state` is final: no event leaves it. */
export function isTerminal(state: MissionState, table: LifecycleTable = MISSION_LIFECYCLE): boolean {
  return table.states[state].type === 'final';
}

/**
 * The state `event` moves a mission in `state` to. Throws `InvalidTransition` when the table has
 * no such transition or its guard is false; the caller has persisted nothing by then.
 */
export function nextState(state: MissionState, event: MissionEvent, context: GuardContext, table: LifecycleTable = MISSION_LIFECYCLE): MissionState {
  if (!isMissionState(state)) throw new UnknownMissionState(state, 'nextState(state)');
  if (!isMissionEvent(event)) throw new UnknownMissionEvent(event);
  const spec = table.states[state].on?.[event];
  if (spec === undefined) throw new InvalidTransition(state, event, allowedEvents(state, table));
  if (spec.guard !== undefined && !MISSION_GUARDS[spec.guard](context)) {
    throw new InvalidTransition(state, event, allowedEvents(state, table), spec.guard);
  }
  return spec.target;
}

/** The events the table accepts in `state` (guards not evaluated). */
export function allowedEvents(state: MissionState, table: LifecycleTable = MISSION_LIFECYCLE): MissionEvent[] {
  return MISSION_EVENTS.filter((event) => table.states[state].on?.[event] !== undefined);
}

/** The table as a Mermaid state diagram: this is the diagram on the Factor VI page. */
export function lifecycleMermaid(table: LifecycleTable = MISSION_LIFECYCLE): string {
  const lines = ['stateDiagram-v2', `    [*] --> ${table.initial}`];
  for (const state of MISSION_STATES) {
    const spec = table.states[state];
    for (const event of MISSION_EVENTS) {
      const transition = spec.on?.[event];
      if (transition === undefined) continue;
      const label = transition.guard === undefined ? event : `${event} [${transition.guard}]`;
      lines.push(`    ${state} --> ${transition.target}: ${label}`);
    }
    if (spec.type === 'final') lines.push(`    ${state} --> [*]`);
  }
  return `${lines.join('\n')}\n`;
}
