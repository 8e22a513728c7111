import { InvalidOptionError, MAX_DURATION_MS, describeValue, durationMs } from '@12-factor-agentops/core';
import { DEFAULT_APPROVAL_TTL_MS, DEFAULT_GATE_TIMEOUT_MS, DEFAULT_REQUIRED_APPROVALS } from './defaults.ts';
import { InvalidGateArgument, people } from './errors.ts';
import { normalizeIdentity, personId, type IdentityNormalizer } from './identity.ts';

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

/** A validated `GatePolicy` with every default filled in and every id normalised. */
export interface ResolvedGatePolicy {
  readonly approvers: readonly string[];
  readonly requiredApprovals: number;
  readonly approvalTtlMs: number;
  readonly gateTimeoutMs: number;
  readonly escalationPath: readonly EscalationLevel[];
}


// Core's bounds (1 ms to 100 years) keep `now + ms` a valid date; the gate also wants whole ms.
function wholeDurationMs(argument: string, value: unknown): number {
  try {
    const ms = durationMs(argument, value);
    if (Number.isInteger(ms)) return ms;
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
  }
  throw new InvalidGateArgument(argument, `expected a whole number of ms from 1 to ${MAX_DURATION_MS} (100 years), got ${describeValue(value)}`);
}

// Reads each item once and keeps each person once, by normalised id.
function personList(argument: string, list: unknown, normalize: IdentityNormalizer): readonly string[] {
  if (!Array.isArray(list) || list.length === 0) throw new InvalidGateArgument(argument, 'expected a non-empty list of approver ids');
  const ids: string[] = [];
  for (let index = 0; index < list.length; index += 1) {
    const id = personId(`${argument}[${index}]`, list[index], normalize);
    if (!ids.includes(id)) ids.push(id);
  }
  return Object.freeze(ids);
}

/**
 * Validates a policy and fills in defaults; throws `InvalidGateArgument` naming the first bad
 * field. Refuses a policy that could never work: durations past 100 years (alone, or the gate
 * timeout and escalation levels added up), or more required approvals than distinct people.
 * Ids are normalised with `normalize` (default `normalizeIdentity`). Each field is read once,
 * so what was validated is what is used.
 */
export function resolveGatePolicy(policy: GatePolicy, normalize: IdentityNormalizer = normalizeIdentity): ResolvedGatePolicy {
  const {
    approvers,
    requiredApprovals = DEFAULT_REQUIRED_APPROVALS,
    approvalTtlMs = DEFAULT_APPROVAL_TTL_MS,
    gateTimeoutMs = DEFAULT_GATE_TIMEOUT_MS,
    escalationPath = [],
  } = policy;
  const resolvedApprovers = personList('policy.approvers', approvers, normalize);
  const ttl = wholeDurationMs('policy.approvalTtlMs', approvalTtlMs);
  const timeout = wholeDurationMs('policy.gateTimeoutMs', gateTimeoutMs);
  if (!Array.isArray(escalationPath)) throw new InvalidGateArgument('policy.escalationPath', 'expected a list of escalation levels');
  let total = timeout;
  const levels: EscalationLevel[] = [];
  for (let index = 0; index < escalationPath.length; index += 1) {
    const at = `policy.escalationPath[${index}]`;
    const level: unknown = escalationPath[index];
    if (typeof level !== 'object' || level === null) throw new InvalidGateArgument(at, 'expected { name, approvers, timeoutMs }');
    const { name, approvers: added, timeoutMs } = level as EscalationLevel;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidGateArgument(`${at}.name`, 'expected a non-empty label such as "team-lead"');
    }
    const levelApprovers = personList(`${at}.approvers`, added, normalize);
    const levelTimeout = wholeDurationMs(`${at}.timeoutMs`, timeoutMs);
    total += levelTimeout;
    if (total > MAX_DURATION_MS) {
      throw new InvalidGateArgument(
        `${at}.timeoutMs`,
        `gateTimeoutMs and the escalation levels up to this one add up to ${total} ms, more than ${MAX_DURATION_MS} (100 years); ` +
          'the last deadline must stay a date',
      );
    }
    levels.push(Object.freeze({ name, approvers: levelApprovers, timeoutMs: levelTimeout }));
  }
  if (typeof requiredApprovals !== 'number' || !Number.isSafeInteger(requiredApprovals) || requiredApprovals < 1) {
    throw new InvalidGateArgument('policy.requiredApprovals', `expected a whole number from 1 up, got ${String(requiredApprovals)}`);
  }
  const resolved: ResolvedGatePolicy = Object.freeze({
    approvers: resolvedApprovers,
    requiredApprovals,
    approvalTtlMs: ttl,
    gateTimeoutMs: timeout,
    escalationPath: Object.freeze(levels),
  });
  const everyone = eligibleApprovers(resolved, levels.length);
  if (requiredApprovals > everyone.size) {
    throw new InvalidGateArgument(
      'policy.requiredApprovals',
      `${requiredApprovals} distinct approvals can never be met: approvers and escalationPath name only ${people(everyone.size)}`,
    );
  }
  return resolved;
}

/** Who may decide at `escalationLevel` (0 before any escalation): the first approvers plus every level reached. */
export function eligibleApprovers(policy: ResolvedGatePolicy, escalationLevel: number): ReadonlySet<string> {
  const eligible = new Set(policy.approvers);
  for (const level of policy.escalationPath.slice(0, escalationLevel)) {
    for (const id of level.approvers) eligible.add(id);
  }
  return eligible;
}

/**
 * The people the policy names who did not write or revise the plan (`contributors` may not
 * decide on it), when they are too few to meet the quorum; `null` when they are enough.
 */
export function quorumShortfall(policy: ResolvedGatePolicy, contributors: readonly string[]): readonly string[] | null {
  const everyone = eligibleApprovers(policy, policy.escalationPath.length);
  const left = [...everyone].filter((id) => !contributors.includes(id));
  return left.length < policy.requiredApprovals ? left : null;
}
