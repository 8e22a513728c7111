import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidTransition,
  MISSION_EVENTS,
  MISSION_LIFECYCLE,
  MISSION_STATES,
  UnknownMissionEvent,
  UnknownMissionState,
  allowedEvents,
  isTerminal,
  lifecycleMermaid,
  nextState,
} from '../src/index.ts';
import type { GuardContext, LifecycleTable, MissionEvent, MissionState } from '../src/index.ts';

const TABLE: LifecycleTable = MISSION_LIFECYCLE;

const steps = ['fetch', 'review', 'report'];
const contexts = fc.record({
  steps: fc.constantFrom([] as string[], steps),
  done: fc.subarray(steps).map((d) => new Set(d)),
}) as fc.Arbitrary<GuardContext>;

/** Applies events in order, skipping the ones the table refuses; returns every state visited. */
function walk(events: readonly MissionEvent[], context: GuardContext): MissionState[] {
  let state: MissionState = MISSION_LIFECYCLE.initial;
  const visited: MissionState[] = [state];
  for (const event of events) {
    try {
      state = nextState(state, event, context);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTransition);
      continue;
    }
    visited.push(state);
  }
  return visited;
}

describe('the lifecycle table', () => {
  it('never reaches an undeclared state, whatever the sequence of events', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...MISSION_EVENTS), { maxLength: 60 }), contexts, (events, context) => {
        for (const state of walk(events, context)) expect(MISSION_STATES).toContain(state);
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps every terminal state absorbing: no event leaves it', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...MISSION_EVENTS), { maxLength: 60 }), contexts, (events, context) => {
        const visited = walk(events, context);
        const firstFinal = visited.findIndex((state) => isTerminal(state));
        if (firstFinal !== -1) expect(new Set(visited.slice(firstFinal))).toEqual(new Set([visited[firstFinal]]));
      }),
      { numRuns: 2_000 },
    );
    for (const state of MISSION_STATES.filter((s) => isTerminal(s))) {
      for (const event of MISSION_EVENTS) expect(() => nextState(state, event, { steps, done: new Set(steps) })).toThrow(InvalidTransition);
    }
  });

  it('declares a transition only to declared states, and lets every state reach a terminal one', () => {
    for (const state of MISSION_STATES) {
      for (const spec of Object.values(TABLE.states[state].on ?? {})) expect(MISSION_STATES).toContain(spec.target);
    }
    const reachesEnd = (state: MissionState, seen = new Set<MissionState>()): boolean =>
      isTerminal(state) || (!seen.has(state) && Object.values(TABLE.states[state].on ?? {}).some((spec) => reachesEnd(spec.target, new Set([...seen, state]))));
    for (const state of MISSION_STATES) expect(reachesEnd(state), state).toBe(true);
  });

  it('refuses an event the state does not accept, naming the state and what it accepts', () => {
    expect(() => nextState('pending', 'COMPLETE', { steps, done: new Set() })).toThrow(
      'Event COMPLETE is not allowed in state "pending"; allowed: PLAN, CANCEL. Nothing was persisted.',
    );
    expect(() => nextState('completed', 'RESUME', { steps, done: new Set() })).toThrow('allowed: none (the state is final)');
  });

  it('applies guards: no start without steps, no completion with a step not done', () => {
    expect(() => nextState('planning', 'START', { steps: [], done: new Set() })).toThrow('refused by guard hasSteps');
    expect(nextState('planning', 'START', { steps, done: new Set() })).toBe('running');
    const error = (() => {
      try {
        nextState('running', 'COMPLETE', { steps, done: new Set(['fetch', 'review']) });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidTransition);
    expect(error).toMatchObject({ from: 'running', event: 'COMPLETE', guard: 'allStepsDone' });
    expect(nextState('running', 'COMPLETE', { steps, done: new Set(steps) })).toBe('completed');
  });

  it('refuses a state or event it does not know with a typed error', () => {
    expect(() => nextState('archived' as MissionState, 'PLAN', { steps, done: new Set() })).toThrow(UnknownMissionState);
    expect(() => nextState('running', 'EXPLODE' as MissionEvent, { steps, done: new Set() })).toThrow(UnknownMissionEvent);
  });

  it('renders every transition of the table, and only those, into the state diagram', () => {
    const diagram = lifecycleMermaid();
    const edges = diagram.split('\n').filter((line) => line.includes('-->') && !line.includes('[*]'));
    const expected = MISSION_STATES.flatMap((state) => allowedEvents(state).map((event) => [state, event] as const));
    expect(edges).toHaveLength(expected.length);
    for (const [state, event] of expected) {
      const spec = TABLE.states[state].on?.[event];
      expect(diagram).toContain(`    ${state} --> ${spec?.target}: ${event}`);
    }
    expect(diagram.startsWith('stateDiagram-v2\n    [*] --> pending\n')).toBe(true);
  });
});
