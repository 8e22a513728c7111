import type { GateAuditEventKind } from './audit.ts';
import type { GateEventType, Phase } from './phases.ts';

const list = (items: readonly string[]): string => (items.length === 0 ? 'nobody' : items.join(', '));
const short = (hash: string): string => hash.slice(0, 12);
/** "1 person", "3 people". */
export const people = (count: number): string => `${count} ${count === 1 ? 'person' : 'people'}`;

/** An event the transition table does not allow in the current phase; the gate is unchanged. */
export class TransitionRejected extends Error {
  override readonly name = 'TransitionRejected';
  constructor(
    readonly phase: Phase,
    readonly event: GateEventType,
    readonly allowedEvents: readonly GateEventType[],
  ) {
    super(
      allowedEvents.length === 0
        ? `event "${event}" rejected: phase ${phase} is final and accepts no events; nothing was changed (submit a new plan to try again)`
        : `event "${event}" is not allowed in phase ${phase} (allowed: ${allowedEvents.join(', ')}); nothing was changed`,
    );
  }
}

/** Someone who wrote or revised a plan tried to approve or reject it; the decision was refused and recorded. */
export class SelfApprovalRefused extends Error {
  override readonly name = 'SelfApprovalRefused';
  constructor(
    readonly planId: string,
    readonly actor: string,
    readonly decision: 'approve' | 'reject',
  ) {
    super(`${actor} cannot ${decision} plan "${planId}": they wrote or revised it; the decision belongs to someone else`);
  }
}

/** The actor is not an approver at the gate's current escalation level; the decision was refused and recorded. */
export class ApproverNotEligible extends Error {
  override readonly name = 'ApproverNotEligible';
  constructor(
    readonly planId: string,
    readonly actor: string,
    readonly decision: 'approve' | 'reject',
    readonly escalationLevel: number,
    readonly eligibleApprovers: readonly string[],
  ) {
    super(
      `${actor} cannot ${decision} plan "${planId}": not an approver at escalation level ${escalationLevel}; ` +
        `eligible: ${list(eligibleApprovers)}`,
    );
  }
}

/** Why execution was refused: the presented plan is not the approved one, or its approvals are missing or expired. */
export type ExecutionRefusalReason = 'plan-changed' | 'approvals-insufficient';

/** Execution was refused and recorded; the plan stays in COMMIT. */
export class ExecutionRefused extends Error {
  override readonly name = 'ExecutionRefused';
  constructor(
    readonly planId: string,
    readonly reason: ExecutionRefusalReason,
    readonly approvedPlanHash: string,
    readonly presentedPlanHash: string,
    readonly validApprovers: readonly string[],
    readonly requiredApprovals: number,
  ) {
    super(
      reason === 'plan-changed'
        ? `execution of plan "${planId}" refused: the plan presented (${short(presentedPlanHash)}…) is not the plan ` +
            `in the gate (${short(approvedPlanHash)}…); submit the changed plan for approval`
        : `execution of plan "${planId}" refused: ${validApprovers.length} of ${requiredApprovals} required approvals ` +
            `are valid for ${short(approvedPlanHash)}… (valid: ${list(validApprovers)}); ` +
            `approvals expire, so ask for fresh ones`,
    );
  }
}

/** The audit sink did not accept a decision, so the decision did not take effect (fail closed). */
export class AuditAppendFailed extends Error {
  override readonly name = 'AuditAppendFailed';
  constructor(
    readonly planId: string,
    readonly kind: GateAuditEventKind,
    cause: unknown,
  ) {
    super(
      `decision "${kind}" on plan "${planId}" did not take effect: the audit sink failed ` +
        `(${cause instanceof Error ? cause.message : String(cause)}); nothing was changed, retry once the sink accepts events`,
      { cause },
    );
  }
}

/** A constructor option or method argument is malformed; `argument` names it (e.g. `policy.escalationPath[1].timeoutMs`). */
export class InvalidGateArgument extends Error {
  override readonly name = 'InvalidGateArgument';
  constructor(
    readonly argument: string,
    readonly problem: string,
  ) {
    super(`invalid ${argument}: ${problem}`);
  }
}
