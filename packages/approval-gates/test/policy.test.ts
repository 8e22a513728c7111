import { describe, expect, it } from 'vitest';
import {
  ApprovalGate,
  DEFAULT_APPROVAL_TTL_MS,
  DEFAULT_GATE_TIMEOUT_MS,
  DEFAULT_REQUIRED_APPROVALS,
  eligibleApprovers,
  InMemoryAuditSink,
  InvalidGateArgument,
  ManualClock,
  resolveGatePolicy,
  type GatePolicy,
} from '../src/index.ts';

const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;
const START = Date.UTC(2025, 2, 4, 9, 0, 0);
const plan = { goal: 'rotate certificates' };

function newGate(author: string, policy: GatePolicy): ApprovalGate {
  return new ApprovalGate({ planId: 'p', author, plan, policy, audit: new InMemoryAuditSink(), clock: new ManualClock(START) });
}

function gateRefusal(author: string, policy: GatePolicy): InvalidGateArgument {
  try {
    newGate(author, policy);
  } catch (error) {
    if (error instanceof InvalidGateArgument) return error;
    throw error;
  }
  throw new Error('expected new ApprovalGate to throw');
}

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
    ['a negative approval lifetime', { approvers: ['a'], approvalTtlMs: -1 }, 'policy.approvalTtlMs', /from 1 to 3153600000000 \(100 years\), got -1 \(number\)/],
    ['a fractional gate timeout', { approvers: ['a'], gateTimeoutMs: 1.5 }, 'policy.gateTimeoutMs', /whole number/],
    [
      'an escalation level without time',
      { approvers: ['a'], escalationPath: [{ name: 'lead', approvers: ['b'], timeoutMs: 0 }] },
      'policy.escalationPath[0].timeoutMs',
      /from 1 to 3153600000000 \(100 years\), got 0 \(number\)/,
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

  it.each<[string, GatePolicy, string, RegExp]>([
    [
      'an approval lifetime so long that its expiry is not a date',
      { approvers: ['a'], approvalTtlMs: Number.MAX_SAFE_INTEGER },
      'policy.approvalTtlMs',
      /expected a whole number of ms from 1 to 3153600000000 \(100 years\), got 9007199254740991 \(number\)/,
    ],
    ['a gate timeout of 200 years', { approvers: ['a'], gateTimeoutMs: 200 * YEAR }, 'policy.gateTimeoutMs', /100 years/],
    [
      'an escalation path whose levels add up to more than 100 years',
      {
        approvers: ['a'], gateTimeoutMs: 40 * YEAR,
        escalationPath: [{ name: 'lead', approvers: ['b'], timeoutMs: 40 * YEAR }, { name: 'manager', approvers: ['c'], timeoutMs: 40 * YEAR }],
      },
      'policy.escalationPath[1].timeoutMs',
      /gateTimeoutMs and the escalation levels up to this one add up to 3784320000000 ms, more than 3153600000000 \(100 years\)/,
    ],
    [
      'two spellings of one approver counted as two people',
      { approvers: ['reviewer-a', 'Reviewer-A'], requiredApprovals: 2 },
      'policy.requiredApprovals',
      /2 distinct approvals can never be met: approvers and escalationPath name only 1 person/,
    ],
  ])('rejects %s when the policy is made, instead of failing later', (_label, policy, argument, message) => {
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

describe('a policy that cannot work for the plan\'s author', () => {
  it('refuses a gate whose quorum can only be met if the author approves their own plan', () => {
    const error = gateRefusal('agent-7', { approvers: ['agent-7', 'reviewer-a'], requiredApprovals: 2 });
    expect(error.argument).toBe('policy.requiredApprovals');
    expect(error.message).toBe(
      'invalid policy.requiredApprovals: 2 distinct approvals can never be met for plan "p": approvers and escalationPath ' +
        'name 2 people, and agent-7 wrote the plan and may not approve it, which leaves 1; name more approvers or require fewer approvals',
    );
  });

  it('sees the author in an escalation level and under another spelling', () => {
    const policy: GatePolicy = {
      approvers: ['reviewer-a'], requiredApprovals: 2, escalationPath: [{ name: 'lead', approvers: ['Agent-7\u200B'], timeoutMs: HOUR }],
    };
    expect(gateRefusal('agent-7', policy).message).toMatch(/agent-7 wrote the plan and may not approve it, which leaves 1/);
    expect(newGate('agent-7', { ...policy, requiredApprovals: 1 }).policy.requiredApprovals).toBe(1);
  });

  it('refuses a revision by an approver that would leave too few people to approve, and changes nothing', async () => {
    const gate = newGate('agent-7', { approvers: ['reviewer-a', 'reviewer-b'], requiredApprovals: 2 });
    const before = gate.snapshot();
    await expect(gate.revise('reviewer-b', { goal: 'rotate certificates today' })).rejects.toThrow(
      'invalid actor: reviewer-b cannot revise plan "p": whoever revises a plan may not approve it, which would leave ' +
        '1 of the 2 distinct approvers it needs (reviewer-a); let someone who is not an approver revise it',
    );
    expect(gate.snapshot()).toBe(before);
    await gate.revise('agent-7', { goal: 'rotate certificates today' });
    expect(gate.snapshot().contributors).toEqual(['agent-7']);
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
