import { SYSTEM_ACTOR } from './audit.ts';
import { InvalidGateArgument } from './errors.ts';

/** One step of an escalation path: who joins the approvers, and how long they have. */
export interface EscalationLevel {
  /** A label for the audit trail, e.g. `team-lead`. */
  readonly name: string;
  /** People who may decide from this level on, in addition to everyone before them. */
  readonly approvers: readonly string[];
  /** How long this level has to answer before the gate moves on, in ms. */
  readonly timeoutMs: number;
}

/** Who must approve a plan, how many of them, and how long everyone has. */
export interface GatePolicy {
  /** People who may approve or reject from the start. */
  readonly approvers: readonly string[];
  /** Distinct approvers needed; default `DEFAULT_REQUIRED_APPROVALS` (1). */
  readonly requiredApprovals?: number;
  /** How long one approval stays valid, in ms; default `DEFAULT_APPROVAL_TTL_MS` (24 h). */
  readonly approvalTtlMs?: number;
  /** How long the first approvers have before the gate escalates, in ms; default `DEFAULT_GATE_TIMEOUT_MS` (4 h). */
  readonly gateTimeoutMs?: number;
  /** Levels tried in order when a gate goes unanswered; at the end of the path the gate rejects. Default: none. */
  readonly escalationPath?: readonly EscalationLevel[];
}

/** A validated `GatePolicy` with every default filled in. */
export interface ResolvedGatePolicy {
  readonly approvers: readonly string[];
  readonly requiredApprovals: number;
  readonly approvalTtlMs: number;
  readonly gateTimeoutMs: number;
  readonly escalationPath: readonly EscalationLevel[];
}

/** Default number of distinct approvers: 1. A rule of thumb to tune, not a measured figure. */
export const DEFAULT_REQUIRED_APPROVALS = 1;
/** Default approval lifetime: 24 h, so a plan approved yesterday is asked about again. */
export const DEFAULT_APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;
/** Default time the first approvers have: 4 h, about half a working day. */
export const DEFAULT_GATE_TIMEOUT_MS = 4 * 60 * 60 * 1000;

/** Checks that `id` can name a person in the audit trail, or throws `InvalidGateArgument` naming `argument`. */
export function assertPersonId(argument: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.trim() === '' || id !== id.trim()) {
    throw new InvalidGateArgument(argument, `expected a non-empty id without surrounding spaces, got ${JSON.stringify(id) ?? String(id)}`);
  }
  if (id === SYSTEM_ACTOR) {
    throw new InvalidGateArgument(argument, `"${SYSTEM_ACTOR}" is reserved for decisions the gate takes on its own (time-outs, escalation)`);
  }
}

function assertDuration(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidGateArgument(argument, `expected a whole number of milliseconds above 0, got ${String(value)}`);
  }
}

function assertApprovers(argument: string, approvers: unknown): asserts approvers is readonly string[] {
  if (!Array.isArray(approvers) || approvers.length === 0) {
    throw new InvalidGateArgument(argument, 'expected a non-empty list of approver ids');
  }
  approvers.forEach((id: unknown, index) => assertPersonId(`${argument}[${index}]`, id));
}

/** Validates a policy and fills in defaults; throws `InvalidGateArgument` naming the first bad field. */
export function resolveGatePolicy(policy: GatePolicy): ResolvedGatePolicy {
  assertApprovers('policy.approvers', policy.approvers);
  const path = policy.escalationPath ?? [];
  if (!Array.isArray(path)) throw new InvalidGateArgument('policy.escalationPath', 'expected a list of escalation levels');
  path.forEach((level: EscalationLevel, index) => {
    const at = `policy.escalationPath[${index}]`;
    if (typeof level.name !== 'string' || level.name.trim() === '') {
      throw new InvalidGateArgument(`${at}.name`, 'expected a non-empty label such as "team-lead"');
    }
    assertApprovers(`${at}.approvers`, level.approvers);
    assertDuration(`${at}.timeoutMs`, level.timeoutMs);
  });
  const resolved: ResolvedGatePolicy = {
    approvers: [...policy.approvers],
    requiredApprovals: policy.requiredApprovals ?? DEFAULT_REQUIRED_APPROVALS,
    approvalTtlMs: policy.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_MS,
    gateTimeoutMs: policy.gateTimeoutMs ?? DEFAULT_GATE_TIMEOUT_MS,
    escalationPath: path.map((level) => ({ name: level.name, approvers: [...level.approvers], timeoutMs: level.timeoutMs })),
  };
  assertDuration('policy.approvalTtlMs', resolved.approvalTtlMs);
  assertDuration('policy.gateTimeoutMs', resolved.gateTimeoutMs);
  const required = resolved.requiredApprovals;
  if (!Number.isSafeInteger(required) || required < 1) {
    throw new InvalidGateArgument('policy.requiredApprovals', `expected a whole number from 1 up, got ${String(required)}`);
  }
  const everyone = eligibleApprovers(resolved, resolved.escalationPath.length);
  if (required > everyone.size) {
    throw new InvalidGateArgument(
      'policy.requiredApprovals',
      `${required} distinct approvals can never be met: approvers and escalationPath name only ${everyone.size} people`,
    );
  }
  return freezePolicy(resolved);
}

function freezePolicy(policy: ResolvedGatePolicy): ResolvedGatePolicy {
  Object.freeze(policy.approvers);
  policy.escalationPath.forEach((level) => Object.freeze(Object.freeze(level).approvers));
  Object.freeze(policy.escalationPath);
  return Object.freeze(policy);
}

/** Who may decide at `escalationLevel` (0 before any escalation): the first approvers plus every level reached. */
export function eligibleApprovers(policy: ResolvedGatePolicy, escalationLevel: number): ReadonlySet<string> {
  const people = new Set(policy.approvers);
  for (const level of policy.escalationPath.slice(0, escalationLevel)) {
    for (const id of level.approvers) people.add(id);
  }
  return people;
}
