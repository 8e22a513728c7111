import { TransitionRejected } from './errors.ts';

/**
 * Where a plan is in its life. PLAN: drafted and editable. COMMIT: frozen by its hash while
 * approvers decide. EXECUTE: running the approved plan. DONE and REJECTED are final.
 */
export type Phase = 'PLAN' | 'COMMIT' | 'EXECUTE' | 'DONE' | 'REJECTED';

/** What can happen to a gate. `escalate` and `timeout` are fired by the gate's own timers. */
export type GateEventType = 'submit' | 'revise' | 'approve' | 'reject' | 'escalate' | 'timeout' | 'execute' | 'complete';

/** Predicates a transition requires, named here and implemented in `guards.ts`. */
export type GuardName =
  | 'isNotContributor' | 'isEligibleApprover'
  | 'hasNextEscalationLevel' | 'isEndOfEscalationPath'
  | 'isApprovedPlanHash' | 'hasValidApprovalSet';

/** One edge of the machine: where an event leads, and the guards that must all hold, in order. */
export interface PhaseTransition {
  readonly target: Phase;
  readonly guards: readonly GuardName[];
}

/** Phase → event → transition; an event missing from a phase is illegal there. */
export type TransitionTable = {
  readonly [P in Phase]: Readonly<Partial<Record<GateEventType, PhaseTransition>>>;
};

// #region phase-transition-table
/** The whole lifecycle of a gated plan, as data. */
export const phaseTransitions: TransitionTable = {
  PLAN: {
    revise: { target: 'PLAN', guards: [] },
    submit: { target: 'COMMIT', guards: [] },
  },
  COMMIT: {
    approve: { target: 'COMMIT', guards: ['isNotContributor', 'isEligibleApprover'] },
    reject: { target: 'REJECTED', guards: ['isNotContributor', 'isEligibleApprover'] },
    // An edited plan is a new plan: it leaves the gate and has to be submitted again.
    revise: { target: 'PLAN', guards: [] },
    escalate: { target: 'COMMIT', guards: ['hasNextEscalationLevel'] },
    timeout: { target: 'REJECTED', guards: ['isEndOfEscalationPath'] },
    execute: { target: 'EXECUTE', guards: ['isApprovedPlanHash', 'hasValidApprovalSet'] },
  },
  EXECUTE: {
    complete: { target: 'DONE', guards: [] },
  },
  DONE: {},
  REJECTED: {},
};
// #endregion phase-transition-table

/** The events `phase` accepts, in table order (empty for DONE and REJECTED). */
export function allowedEvents(phase: Phase): readonly GateEventType[] {
  return Object.keys(phaseTransitions[phase]) as GateEventType[];
}

/** Returns the transition for `event` in `phase`, or throws `TransitionRejected` if the table has none. */
export function transitionFor(phase: Phase, event: GateEventType): PhaseTransition {
  const transition = phaseTransitions[phase][event];
  if (transition === undefined) throw new TransitionRejected(phase, event, allowedEvents(phase));
  return transition;
}
