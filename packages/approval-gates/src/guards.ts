import { validApprovers, type ApprovalRecord } from './approvals.ts';
import { eligibleApprovers, type ResolvedGatePolicy } from './policy.ts';
import type { GuardName, PhaseTransition } from './phases.ts';

/** What a guard may look at: the gate as it is, who is acting, when, and (for `execute`) the plan presented. */
export interface GuardContext {
  readonly policy: ResolvedGatePolicy;
  readonly actor: string;
  readonly now: number;
  /** The hash of the plan in the gate: the one approvers saw. */
  readonly planHash: string;
  /** The hash of the plan the caller is about to run; equal to `planHash` for events other than `execute`. */
  readonly presentedPlanHash: string;
  /** Everyone who wrote or revised the plan. */
  readonly contributors: readonly string[];
  readonly escalationLevel: number;
  readonly approvals: readonly ApprovalRecord[];
}

/** The implementation of every guard the transition table names; each is a pure predicate. */
export const guards: Readonly<Record<GuardName, (context: GuardContext) => boolean>> = {
  isNotContributor: (c) => !c.contributors.includes(c.actor),
  isEligibleApprover: (c) => eligibleApprovers(c.policy, c.escalationLevel).has(c.actor),
  hasNextEscalationLevel: (c) => c.escalationLevel < c.policy.escalationPath.length,
  isEndOfEscalationPath: (c) => c.escalationLevel >= c.policy.escalationPath.length,
  // Execution binds to the bytes about to run, not to the gate's idea of the plan.
  isApprovedPlanHash: (c) => c.presentedPlanHash === c.planHash,
  hasValidApprovalSet: (c) =>
    validApprovers(c.approvals, c.presentedPlanHash, c.now, c.contributors).length >= c.policy.requiredApprovals,
};

/** The first guard of `transition` that does not hold, or `undefined` when the transition may be taken. */
export function firstFailingGuard(transition: PhaseTransition, context: GuardContext): GuardName | undefined {
  return transition.guards.find((name) => !guards[name](context));
}
