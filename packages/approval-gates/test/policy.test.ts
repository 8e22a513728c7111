import { describe, expect, it } from 'vitest';
import {
  DEFAULT_APPROVAL_TTL_MS,
  DEFAULT_GATE_TIMEOUT_MS,
  DEFAULT_REQUIRED_APPROVALS,
  eligibleApprovers,
  InvalidGateArgument,
  resolveGatePolicy,
  type GatePolicy,
} from '../src/index.ts';

const HOUR = 3_600_000;

function invalidArgument(policy: GatePolicy): InvalidGateArgument {
  try {
    resolveGatePolicy(policy);
  } catch (error) {
    if (error instanceof InvalidGateArgument) return error;
    throw error;
  }
  throw new Error('expected resolveGatePolicy to throw');
}

describe('resolveGatePolicy', () => {
  it('fills in the documented defaults: 1 approval, 24 h approval lifetime, 4 h gate timeout, no escalation', () => {
    const policy = resolveGatePolicy({ approvers: ['reviewer-a'] });
    expect(policy).toEqual({ approvers: ['reviewer-a'], requiredApprovals: 1, approvalTtlMs: 24 * HOUR, gateTimeoutMs: 4 * HOUR, escalationPath: [] });
    expect([DEFAULT_REQUIRED_APPROVALS, DEFAULT_APPROVAL_TTL_MS, DEFAULT_GATE_TIMEOUT_MS]).toEqual([1, 24 * HOUR, 4 * HOUR]);
  });

  it('copies and freezes the policy, so changing the caller\'s object later changes nothing', () => {
    const approvers = ['reviewer-a'];
    const policy = resolveGatePolicy({ approvers });
    approvers.push('intruder');
    expect(policy.approvers).toEqual(['reviewer-a']);
    expect(Object.isFrozen(policy.approvers)).toBe(true);
  });

  it.each<[string, GatePolicy, string, RegExp]>([
    ['no approvers', { approvers: [] }, 'policy.approvers', /non-empty list/],
    ['a blank approver', { approvers: ['a', ' '] }, 'policy.approvers[1]', /non-empty id/],
    ['the reserved system actor', { approvers: ['system'] }, 'policy.approvers[0]', /reserved/],
    ['zero required approvals', { approvers: ['a'], requiredApprovals: 0 }, 'policy.requiredApprovals', /from 1 up, got 0/],
    ['more approvals than people', { approvers: ['a', 'b'], requiredApprovals: 3 }, 'policy.requiredApprovals', /never be met.*only 2 people/],
    ['a negative approval lifetime', { approvers: ['a'], approvalTtlMs: -1 }, 'policy.approvalTtlMs', /above 0, got -1/],
    ['a fractional gate timeout', { approvers: ['a'], gateTimeoutMs: 1.5 }, 'policy.gateTimeoutMs', /whole number/],
    [
      'an escalation level without time',
      { approvers: ['a'], escalationPath: [{ name: 'lead', approvers: ['b'], timeoutMs: 0 }] },
      'policy.escalationPath[0].timeoutMs',
      /above 0, got 0/,
    ],
    [
      'an unnamed escalation level',
      { approvers: ['a'], escalationPath: [{ name: '', approvers: ['b'], timeoutMs: HOUR }] },
      'policy.escalationPath[0].name',
      /non-empty label/,
    ],
  ])('rejects %s, naming the field', (_label, policy, argument, message) => {
    const error = invalidArgument(policy);
    expect(error.argument).toBe(argument);
    expect(error.message).toMatch(message);
  });

  it('counts people from the escalation path towards what can be met', () => {
    const policy = resolveGatePolicy({
      approvers: ['a'],
      requiredApprovals: 2,
      escalationPath: [{ name: 'team-lead', approvers: ['lead'], timeoutMs: HOUR }],
    });
    expect(policy.requiredApprovals).toBe(2);
  });
});

describe('eligibleApprovers', () => {
  it('adds each escalation level\'s approvers to everyone before them', () => {
    const policy = resolveGatePolicy({
      approvers: ['a', 'b'],
      escalationPath: [
        { name: 'team-lead', approvers: ['lead'], timeoutMs: HOUR },
        { name: 'duty-manager', approvers: ['manager', 'a'], timeoutMs: HOUR },
      ],
    });
    expect([...eligibleApprovers(policy, 0)]).toEqual(['a', 'b']);
    expect([...eligibleApprovers(policy, 1)]).toEqual(['a', 'b', 'lead']);
    expect([...eligibleApprovers(policy, 2)]).toEqual(['a', 'b', 'lead', 'manager']);
  });
});
