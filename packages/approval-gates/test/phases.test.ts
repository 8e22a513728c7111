import { describe, expect, it } from 'vitest';
import {
  allowedEvents,
  guards,
  phaseTransitions,
  transitionFor,
  TransitionRejected,
  type GateEventType,
  type Phase,
} from '../src/index.ts';

const PHASES: readonly Phase[] = ['PLAN', 'COMMIT', 'EXECUTE', 'DONE', 'REJECTED'];
const EVENTS: readonly GateEventType[] = ['submit', 'revise', 'approve', 'reject', 'escalate', 'timeout', 'execute', 'complete'];

describe('the phase transition table', () => {
  it('allows exactly the PLAN → COMMIT → EXECUTE → DONE path and the two ways to REJECTED', () => {
    const edges = PHASES.flatMap((phase) =>
      allowedEvents(phase).map((event) => `${phase} --${event}--> ${transitionFor(phase, event).target}`),
    );
    expect(edges).toEqual([
      'PLAN --revise--> PLAN',
      'PLAN --submit--> COMMIT',
      'COMMIT --approve--> COMMIT',
      'COMMIT --reject--> REJECTED',
      'COMMIT --revise--> PLAN',
      'COMMIT --escalate--> COMMIT',
      'COMMIT --timeout--> REJECTED',
      'COMMIT --execute--> EXECUTE',
      'EXECUTE --complete--> DONE',
    ]);
  });

  it('has no way out of DONE or REJECTED', () => {
    expect(allowedEvents('DONE')).toEqual([]);
    expect(allowedEvents('REJECTED')).toEqual([]);
  });

  it('reaches EXECUTE only through guards that check the plan hash and the approval set', () => {
    const intoExecute = PHASES.flatMap((phase) =>
      allowedEvents(phase)
        .map((event) => transitionFor(phase, event))
        .filter((transition) => transition.target === 'EXECUTE'),
    );
    expect(intoExecute).toEqual([{ target: 'EXECUTE', guards: ['isApprovedPlanHash', 'hasValidApprovalSet'] }]);
  });

  it('names only guards that are implemented', () => {
    for (const phase of PHASES) {
      for (const transition of Object.values(phaseTransitions[phase])) {
        for (const name of transition.guards) expect(typeof guards[name]).toBe('function');
      }
    }
  });

  it('rejects every event a phase does not list with a TransitionRejected naming phase, event and the allowed events', () => {
    for (const phase of PHASES) {
      for (const event of EVENTS.filter((candidate) => !allowedEvents(phase).includes(candidate))) {
        let caught: unknown;
        try {
          transitionFor(phase, event);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(TransitionRejected);
        const rejected = caught as TransitionRejected;
        expect([rejected.phase, rejected.event, rejected.allowedEvents]).toEqual([phase, event, allowedEvents(phase)]);
        expect(rejected.message).toContain(`event "${event}"`);
        expect(rejected.message).toContain(phase);
      }
    }
    expect(() => transitionFor('PLAN', 'execute')).toThrow(
      'event "execute" is not allowed in phase PLAN (allowed: revise, submit); nothing was changed',
    );
    expect(() => transitionFor('REJECTED', 'approve')).toThrow('phase REJECTED is final and accepts no events');
  });
});
