export { ApprovalGate } from './approval-gate.ts';
export type { ApprovalGateOptions, ExecutionPermit, GateRound, GateSnapshot } from './approval-gate.ts';
export { validApprovers } from './approvals.ts';
export type { ApprovalRecord, Decision } from './approvals.ts';
export { InMemoryAuditSink, SYSTEM_ACTOR } from './audit.ts';
export type { AuditSink, GateAuditEvent, GateAuditEventKind } from './audit.ts';
export { canonicalJson, CanonicalEncodingError, MAX_JSON_DEPTH, MAX_JSON_LENGTH } from './canonical-json.ts';
export type { JsonLimits, JsonValue } from './canonical-json.ts';
// Time comes from core; re-exported so callers of this package need no second import.
export { ClockReadingInvalid, ManualClock, systemClock } from '@12-factor-agentops/core';
export type { Clock } from '@12-factor-agentops/core';
export {
  DEFAULT_APPROVAL_TTL_MS,
  DEFAULT_GATE_TIMEOUT_MS,
  DEFAULT_MAX_PLAN_DEPTH,
  DEFAULT_MAX_PLAN_LENGTH,
  DEFAULT_REQUIRED_APPROVALS,
} from './defaults.ts';
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
export { normalizeIdentity } from './identity.ts';
export type { IdentityNormalizer } from './identity.ts';
export { allowedEvents, phaseTransitions, transitionFor } from './phases.ts';
export type { GateEventType, GuardName, Phase, PhaseTransition, TransitionTable } from './phases.ts';
export { hashPlan, identifyPlan, snapshotPlan } from './plan-identity.ts';
export type { PlanData, PlanIdentity } from './plan-identity.ts';
export { eligibleApprovers, resolveGatePolicy } from './policy.ts';
export type { EscalationLevel, GatePolicy, ResolvedGatePolicy } from './policy.ts';
