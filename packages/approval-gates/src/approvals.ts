/** An approver's answer to one exact plan. */
export type Decision = 'approved' | 'rejected';

/** A recorded decision: who, when, on which plan hash, what, and until when it counts. */
export interface ApprovalRecord {
  readonly approver: string;
  readonly decision: Decision;
  /** The hash of the plan the approver saw; the decision counts for that plan only. */
  readonly planHash: string;
  /** Clock time of the decision, in ms since the epoch. */
  readonly decidedAt: number;
  /** Clock time from which an approval no longer counts, in ms; `null` for a rejection, which is final. */
  readonly expiresAt: number | null;
  /** The escalation level the gate was at when the decision was taken (0 before any escalation). */
  readonly escalationLevel: number;
}

// #region hash-bound-approval-check
/**
 * The distinct approvers whose approval still counts for the plan with hash `planHash` at
 * time `now`. An approval counts only for the exact plan it was given for, only until it
 * expires, and never when given by someone who wrote or revised the plan.
 */
export function validApprovers(
  approvals: readonly ApprovalRecord[],
  planHash: string,
  now: number,
  contributors: readonly string[],
): readonly string[] {
  const approvers = new Set<string>();
  for (const approval of approvals) {
    if (approval.decision !== 'approved') continue;
    if (approval.planHash !== planHash) continue;
    if (approval.expiresAt === null || now >= approval.expiresAt) continue;
    if (contributors.includes(approval.approver)) continue;
    approvers.add(approval.approver);
  }
  return [...approvers];
}
// #endregion hash-bound-approval-check
