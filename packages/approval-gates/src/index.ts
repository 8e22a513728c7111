export { ApprovalGate } from './approval-gate.ts';
export type { ApprovalGateOptions, ExecutionPermit, GateRound, GateSnapshot } from './approval-gate.ts';
export { validApprovers } from './approvals.ts';
export type { ApprovalRecord, Decision } from './approvals.ts';
export { InMemoryAuditSink, SYSTEM_ACTOR } from './audit.ts';
export type { AuditSink, GateAuditEvent, GateAuditEventKind } from './audit.ts';
export { canonicalJson, CanonicalEncodingError } from './canonical-json.ts';
export type { JsonValue } from './canonical-json.ts';
export { ManualClock, systemClock } from './clock.ts';
export type { Clock } from './clock.ts';
export {
  ApproverNotEligible,
  AuditAppendFailed,
  ExecutionRefused,
  InvalidGateArgument,
  SelfApprovalRefused,
  TransitionRejected,
} from './errors.ts';
export type { ExecutionRefusalReason } from './errors.ts';
export { guards } from './guards.ts';
export type { GuardContext } from './guards.ts';
export { allowedEvents, phaseTransitions, transitionFor } from './phases.ts';
export type { GateEventType, GuardName, Phase, PhaseTransition, TransitionTable } from './phases.ts';
export { hashPlan, identifyPlan } from './plan-identity.ts';
export type { PlanData, PlanIdentity } from './plan-identity.ts';
export {
  DEFAULT_APPROVAL_TTL_MS,
  DEFAULT_GATE_TIMEOUT_MS,
  DEFAULT_REQUIRED_APPROVALS,
  eligibleApprovers,
  resolveGatePolicy,
} from './policy.ts';
export type { EscalationLevel, GatePolicy, ResolvedGatePolicy } from './policy.ts';
