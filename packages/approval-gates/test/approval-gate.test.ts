import { describe, expect, it } from 'vitest';
import {
  ApprovalGate,
  ApproverNotEligible,
  AuditAppendFailed,
  CanonicalEncodingError,
  ClockReadingInvalid,
  ExecutionRefused,
  hashPlan,
  InvalidGateArgument,
  ManualClock,
  SelfApprovalRefused,
  TransitionRejected,
  type AuditSink,
  type Clock,
  type GatePolicy,
  type PlanData,
} from '../src/index.ts';
import { failure, SwitchableSink } from './support.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2025, 2, 4, 9, 0, 0);
const AUTHOR = 'agent-7';

const plan = (replicas = 3): PlanData => ({
  goal: 'Scale the checkout service for the sale',
  steps: [
    { id: 'step-01', tool: 'kubectl.scale', target: { namespace: 'shop', name: 'checkout-api' }, arguments: { replicas } },
    { id: 'step-02', tool: 'http.probe', arguments: { url: 'https://checkout-api.example.org/healthz', expectStatus: 200 } },
  ],
});

function setup(policy: Partial<GatePolicy> = {}, sink: AuditSink = new SwitchableSink()) {
  const clock = new ManualClock(START);
  const gate = new ApprovalGate({
    planId: 'rollout-42',
    author: AUTHOR,
    plan: plan(),
    policy: { approvers: ['reviewer-a', 'reviewer-b', 'reviewer-c'], ...policy },
    audit: sink,
    clock,
  });
  return { clock, gate };
}

function setupWithSink(policy: Partial<GatePolicy> = {}) {
  const sink = new SwitchableSink();
  return { sink, ...setup(policy, sink) };
}

const kinds = (sink: SwitchableSink): string[] => sink.events.map((event) => event.kind);

describe('approving and executing a plan', () => {
  it('executes the approved plan and records who approved which hash, when, and until when', async () => {
    const { gate, sink, clock } = setupWithSink();
    await gate.submit(AUTHOR);
    clock.advance(10 * MINUTE);
    const approval = await gate.approve('reviewer-a');
    // The executor builds its own copy, keys in another order: same data, same plan.
    const sameData = { steps: (plan() as { steps: PlanData }).steps, goal: 'Scale the checkout service for the sale' };
    const permit = await gate.execute('runner-1', sameData);

    expect(approval).toEqual({
      approver: 'reviewer-a', decision: 'approved', planHash: hashPlan(plan()),
      decidedAt: START + 10 * MINUTE, expiresAt: START + 10 * MINUTE + 24 * HOUR, escalationLevel: 0,
    });
    expect(permit).toEqual({ planId: 'rollout-42', planHash: hashPlan(plan()), plan: plan(), approvers: ['reviewer-a'], startedAt: START + 10 * MINUTE });
    expect(gate.phase).toBe('EXECUTE');
    expect(kinds(sink)).toEqual(['plan.submitted', 'approval.granted', 'execution.started']);
    expect(sink.events[1]).toEqual({
      kind: 'approval.granted', planId: 'rollout-42', planHash: hashPlan(plan()), actor: 'reviewer-a', at: '2025-03-04T09:10:00.000Z',
      detail: { decision: 'approved', expiresAt: '2025-03-05T09:10:00.000Z', validApprovals: 1, requiredApprovals: 1, escalationLevel: 0 },
    });

    await gate.complete('runner-1', 'succeeded');
    expect(gate.phase).toBe('DONE');
    expect(sink.events.at(-1)?.detail).toEqual({ event: 'complete', fromPhase: 'EXECUTE', toPhase: 'DONE', outcome: 'succeeded' });
  });

  it('refuses to execute a plan edited after approval, records the refusal, and still runs the approved plan', async () => {
    const { gate, sink } = setupWithSink();
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');

    const refused = await failure(gate.execute('runner-1', plan(30)));
    expect(refused).toBeInstanceOf(ExecutionRefused);
    expect(refused).toMatchObject({ reason: 'plan-changed', approvedPlanHash: hashPlan(plan()), presentedPlanHash: hashPlan(plan(30)) });
    expect(refused.message).toMatch(/is not the plan in the gate .*; submit the changed plan for approval/);
    expect(gate.phase).toBe('COMMIT');
    expect(sink.events.at(-1)).toMatchObject({
      kind: 'execution.refused', actor: 'runner-1', planHash: hashPlan(plan()),
      detail: { reason: 'plan-changed', guard: 'isApprovedPlanHash', presentedPlanHash: hashPlan(plan(30)) },
    });

    await gate.execute('runner-1', plan());
    expect(gate.phase).toBe('EXECUTE');
  });

  it('keeps its own frozen copy of the plan, so editing the caller\'s object cannot change what is approved', async () => {
    const clock = new ManualClock(START);
    const callersPlan = { goal: 'rotate certificates', steps: [{ tool: 'cert.rotate', arguments: { days: 90 } }] };
    const gate = new ApprovalGate({ planId: 'p', author: AUTHOR, plan: callersPlan, policy: { approvers: ['reviewer-a'] }, audit: new SwitchableSink(), clock });
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    const approvedHash = gate.snapshot().planHash;

    const firstStep = callersPlan.steps[0];
    if (firstStep === undefined) throw new Error('fixture has no step');
    firstStep.arguments.days = 3650;

    expect(gate.snapshot().planHash).toBe(approvedHash);
    expect(gate.snapshot().plan).toEqual({ goal: 'rotate certificates', steps: [{ tool: 'cert.rotate', arguments: { days: 90 } }] });
    expect(Object.isFrozen(gate.snapshot().plan)).toBe(true);
    expect(await failure(gate.execute('runner-1', callersPlan))).toMatchObject({ reason: 'plan-changed' });
  });

  it('sends a revised plan back to PLAN, and approvals from an earlier round never count again, even for identical content', async () => {
    const { gate, sink } = setupWithSink();
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    await gate.revise(AUTHOR, plan(5));
    expect(gate.phase).toBe('PLAN');
    expect(sink.events.at(-1)).toMatchObject({ kind: 'plan.revised', planHash: hashPlan(plan(5)), detail: { previousPlanHash: hashPlan(plan()), fromPhase: 'COMMIT', toPhase: 'PLAN' } });

    await gate.revise(AUTHOR, plan());
    await gate.submit(AUTHOR);
    expect(gate.snapshot().round?.number).toBe(2);
    const refused = await failure(gate.execute('runner-1', plan()));
    expect(refused).toMatchObject({ reason: 'approvals-insufficient', validApprovers: [] });
    expect(refused.message).toContain('0 of 1 required approvals are valid');
  });

  it('refuses execution once the approvals have expired, and accepts a fresh approval', async () => {
    const { gate, clock } = setup({ approvalTtlMs: HOUR });
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    clock.advance(HOUR);
    const refused = await failure(gate.execute('runner-1', plan()));
    expect(refused).toMatchObject({ reason: 'approvals-insufficient', validApprovers: [], requiredApprovals: 1 });
    expect(refused.message).toContain('approvals expire, so ask for fresh ones');

    await gate.approve('reviewer-a');
    await gate.execute('runner-1', plan());
    expect(gate.phase).toBe('EXECUTE');
  });

  it('ends the gate at the first rejection, with its reason on the record', async () => {
    const { gate, sink } = setupWithSink({ requiredApprovals: 2 });
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    const record = await gate.reject('reviewer-b', 'step-01 scales past the namespace quota');
    expect(record).toMatchObject({ decision: 'rejected', expiresAt: null, planHash: hashPlan(plan()) });
    expect(gate.phase).toBe('REJECTED');
    expect(sink.events.at(-1)).toMatchObject({ kind: 'approval.rejected', actor: 'reviewer-b', detail: { reason: 'step-01 scales past the namespace quota' } });
    expect(await failure(gate.execute('runner-1', plan()))).toBeInstanceOf(TransitionRejected);
  });
});

describe('who may decide', () => {
  it('refuses the author\'s approval of their own plan, even when the author is a listed approver, and records it', async () => {
    const { gate, sink } = setupWithSink({ approvers: [AUTHOR, 'reviewer-a'] });
    await gate.submit(AUTHOR);
    const refused = await failure(gate.approve(AUTHOR));
    expect(refused).toBeInstanceOf(SelfApprovalRefused);
    expect(refused.message).toBe('agent-7 cannot approve plan "rollout-42": they wrote or revised it; the decision belongs to someone else');
    expect(gate.snapshot().round?.decisions).toEqual([]);
    expect(sink.events.at(-1)).toMatchObject({ kind: 'approval.refused', actor: AUTHOR, detail: { decision: 'approve', guard: 'isNotContributor' } });
    expect(await failure(gate.execute('runner-1', plan()))).toMatchObject({ reason: 'approvals-insufficient' });
  });

  it('treats whoever revised the plan as an author: they can no longer approve or reject it', async () => {
    const { gate } = setup();
    await gate.revise('reviewer-b', plan(4));
    await gate.submit(AUTHOR);
    expect(await failure(gate.approve('reviewer-b'))).toBeInstanceOf(SelfApprovalRefused);
    expect(await failure(gate.reject('reviewer-b', 'changed my mind'))).toMatchObject({ name: 'SelfApprovalRefused', decision: 'reject' });
    expect(gate.snapshot().contributors).toEqual([AUTHOR, 'reviewer-b']);
  });

  it('refuses someone who is not an approver and tells them who is', async () => {
    const { gate } = setup();
    await gate.submit(AUTHOR);
    const refused = await failure(gate.approve('passer-by'));
    expect(refused).toBeInstanceOf(ApproverNotEligible);
    expect(refused).toMatchObject({ escalationLevel: 0, eligibleApprovers: ['reviewer-a', 'reviewer-b', 'reviewer-c'] });
    expect(refused.message).toContain('eligible: reviewer-a, reviewer-b, reviewer-c');
  });

  it('needs n distinct people: the same approver twice counts once', async () => {
    const { gate } = setup({ requiredApprovals: 2 });
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    await gate.approve('reviewer-a');
    expect(await failure(gate.execute('runner-1', plan()))).toMatchObject({ reason: 'approvals-insufficient', validApprovers: ['reviewer-a'] });
    await gate.approve('reviewer-c');
    expect((await gate.execute('runner-1', plan())).approvers).toEqual(['reviewer-a', 'reviewer-c']);
  });

  it('counts only approvals valid at the same moment: an expired one does not add up with a later one', async () => {
    const { gate, clock } = setup({ requiredApprovals: 2, approvalTtlMs: 2 * HOUR });
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    clock.advance(2 * HOUR);
    await gate.approve('reviewer-b');
    expect(await failure(gate.execute('runner-1', plan()))).toMatchObject({ validApprovers: ['reviewer-b'] });
    await gate.approve('reviewer-a');
    await gate.execute('runner-1', plan());
    expect(gate.phase).toBe('EXECUTE');
  });
});

describe('timeouts and escalation', () => {
  const path = [
    { name: 'team-lead', approvers: ['lead-1'], timeoutMs: 2 * HOUR },
    { name: 'duty-manager', approvers: ['manager-1'], timeoutMs: HOUR },
  ];

  it('rejects a gate nobody answers in time when there is no escalation path (fail closed)', async () => {
    const { gate, clock, sink } = setupWithSink({ gateTimeoutMs: HOUR });
    await gate.submit(AUTHOR);
    clock.advance(HOUR - 1);
    expect((await gate.tick()).phase).toBe('COMMIT');
    clock.advance(1);
    expect((await gate.tick()).phase).toBe('REJECTED');
    expect(sink.events.at(-1)).toMatchObject({
      kind: 'gate.timed-out', actor: 'system', at: '2025-03-04T10:00:00.000Z',
      detail: { fromPhase: 'COMMIT', toPhase: 'REJECTED', escalationLevel: 0, dueAt: '2025-03-04T10:00:00.000Z' },
    });
    expect(await failure(gate.approve('reviewer-a'))).toBeInstanceOf(TransitionRejected);
  });

  it('escalates level by level, letting each level\'s approvers decide, and rejects at the end of the path', async () => {
    const { gate, clock, sink } = setupWithSink({ gateTimeoutMs: HOUR, escalationPath: path });
    await gate.submit(AUTHOR);
    expect(await failure(gate.approve('lead-1'))).toMatchObject({ name: 'ApproverNotEligible', escalationLevel: 0 });

    clock.advance(HOUR);
    const first = await gate.tick();
    expect([first.phase, first.round?.escalationLevel, first.round?.deadline]).toEqual(['COMMIT', 1, START + 3 * HOUR]);
    expect(sink.events.at(-1)).toMatchObject({
      kind: 'gate.escalated', actor: 'system',
      detail: { fromLevel: 0, toLevel: 1, levelName: 'team-lead', approversAdded: 'lead-1', dueAt: '2025-03-04T10:00:00.000Z', nextDeadline: '2025-03-04T12:00:00.000Z' },
    });

    clock.advance(2 * HOUR);
    expect((await gate.tick()).round?.escalationLevel).toBe(2);
    clock.advance(HOUR);
    expect((await gate.tick()).phase).toBe('REJECTED');
    expect(kinds(sink)).toEqual(['plan.submitted', 'approval.refused', 'gate.escalated', 'gate.escalated', 'gate.timed-out']);
  });

  it('lets an approver who joined by escalation approve, and the plan then executes', async () => {
    const { gate, clock } = setup({ gateTimeoutMs: HOUR, escalationPath: path });
    await gate.submit(AUTHOR);
    clock.advance(HOUR);
    const approval = await gate.approve('lead-1');
    expect(approval.escalationLevel).toBe(1);
    expect((await gate.execute('runner-1', plan())).approvers).toEqual(['lead-1']);
  });

  it('applies overdue escalations in order before any decision, so a late approval cannot slip past a lapsed gate', async () => {
    const { gate, clock, sink } = setupWithSink({ gateTimeoutMs: HOUR, escalationPath: path });
    await gate.submit(AUTHOR);
    clock.advance(5 * HOUR);
    const refused = await failure(gate.approve('reviewer-a'));
    expect(refused).toBeInstanceOf(TransitionRejected);
    expect(refused).toMatchObject({ phase: 'REJECTED', event: 'approve' });
    expect(kinds(sink)).toEqual(['plan.submitted', 'gate.escalated', 'gate.escalated', 'gate.timed-out']);
  });

  it('stops the timer once the required approvals are in, so an answered gate does not escalate', async () => {
    const { gate, clock, sink } = setupWithSink({ gateTimeoutMs: HOUR, escalationPath: path });
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    clock.advance(10 * HOUR);
    expect((await gate.tick()).phase).toBe('COMMIT');
    expect(kinds(sink)).toEqual(['plan.submitted', 'approval.granted']);
    await gate.execute('runner-1', plan());
    expect(gate.phase).toBe('EXECUTE');
  });

  it('keeps the timer running while approvals are short of n', async () => {
    const { gate, clock } = setup({ gateTimeoutMs: HOUR, requiredApprovals: 2 });
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    clock.advance(HOUR);
    expect((await gate.tick()).phase).toBe('REJECTED');
  });
});

describe('illegal transitions', () => {
  it.each<[string, (gate: ApprovalGate) => Promise<unknown>, (gate: ApprovalGate) => Promise<unknown>]>([
    ['execute in PLAN', async () => undefined, (gate) => gate.execute('runner-1', plan())],
    ['approve in PLAN', async () => undefined, (gate) => gate.approve('reviewer-a')],
    ['complete in COMMIT', (gate) => gate.submit(AUTHOR), (gate) => gate.complete('runner-1', 'succeeded')],
    ['submit in COMMIT', (gate) => gate.submit(AUTHOR), (gate) => gate.submit(AUTHOR)],
    [
      'revise in EXECUTE',
      async (gate) => {
        await gate.submit(AUTHOR);
        await gate.approve('reviewer-a');
        await gate.execute('runner-1', plan());
      },
      (gate) => gate.revise(AUTHOR, plan(9)),
    ],
    [
      'approve in REJECTED',
      async (gate) => {
        await gate.submit(AUTHOR);
        await gate.reject('reviewer-a', 'too risky');
      },
      (gate) => gate.approve('reviewer-b'),
    ],
  ])('rejects %s with TransitionRejected and leaves state and audit log exactly as they were', async (_label, arrange, act) => {
    const { gate, sink } = setupWithSink();
    await arrange(gate);
    const before = gate.snapshot();
    const eventsBefore = [...sink.events];

    const error = await failure(act(gate));
    expect(error).toBeInstanceOf(TransitionRejected);
    expect(error).toMatchObject({ phase: before.phase });
    expect(error.message).toContain(`phase ${before.phase}`);
    expect(gate.snapshot()).toBe(before);
    expect(sink.events).toEqual(eventsBefore);
  });
});

describe('when the audit sink fails', () => {
  it.each<[string, (gate: ApprovalGate) => Promise<unknown>, (gate: ApprovalGate) => Promise<unknown>, string]>([
    ['a submission', async () => undefined, (gate) => gate.submit(AUTHOR), 'plan.submitted'],
    ['a revision', async () => undefined, (gate) => gate.revise(AUTHOR, plan(4)), 'plan.revised'],
    ['an approval', (gate) => gate.submit(AUTHOR), (gate) => gate.approve('reviewer-a'), 'approval.granted'],
    ['a rejection', (gate) => gate.submit(AUTHOR), (gate) => gate.reject('reviewer-a', 'no'), 'approval.rejected'],
    ['a refusal', (gate) => gate.submit(AUTHOR), (gate) => gate.approve(AUTHOR), 'approval.refused'],
    [
      'the start of execution',
      async (gate) => {
        await gate.submit(AUTHOR);
        await gate.approve('reviewer-a');
      },
      (gate) => gate.execute('runner-1', plan()),
      'execution.started',
    ],
  ])('does not take %s it could not record (fail closed)', async (_label, arrange, act, kind) => {
    const { gate, sink } = setupWithSink();
    await arrange(gate);
    const before = gate.snapshot();
    const recorded = sink.events.length;
    sink.failing = true;

    const error = await failure(act(gate));
    expect(error).toBeInstanceOf(AuditAppendFailed);
    expect(error).toMatchObject({ kind, planId: 'rollout-42' });
    expect(error.message).toContain('did not take effect: the audit sink failed (audit store unreachable)');
    expect(gate.snapshot()).toBe(before);
    expect(sink.events).toHaveLength(recorded);

    sink.failing = false;
    await act(gate).catch((refusal: unknown) => expect(refusal).toBeInstanceOf(SelfApprovalRefused));
    expect(sink.events.at(-1)?.kind).toBe(kind);
  });

  it('neither escalates nor times out nor lets anything through while the sink is down, and catches up once it is back', async () => {
    const { gate, clock, sink } = setupWithSink({ gateTimeoutMs: HOUR });
    await gate.submit(AUTHOR);
    clock.advance(2 * HOUR);
    sink.failing = true;
    expect(await failure(gate.tick())).toMatchObject({ name: 'AuditAppendFailed', kind: 'gate.timed-out' });
    expect(await failure(gate.approve('reviewer-a'))).toBeInstanceOf(AuditAppendFailed);
    expect(await failure(gate.execute('runner-1', plan()))).toBeInstanceOf(AuditAppendFailed);
    expect(gate.phase).toBe('COMMIT');
    expect(kinds(sink)).toEqual(['plan.submitted']);

    sink.failing = false;
    expect((await gate.tick()).phase).toBe('REJECTED');
  });
});

describe('concurrent calls', () => {
  class SlowSink extends SwitchableSink {
    override async append(event: Parameters<SwitchableSink['append']>[0]): Promise<void> {
      await new Promise((resolve) => setImmediate(resolve));
      await super.append(event);
    }
  }

  it('runs calls on one gate one at a time, in call order, so each sees the decision before it', async () => {
    const sink = new SlowSink();
    const { gate } = setup({}, sink);
    await gate.submit(AUTHOR);
    const approval = gate.approve('reviewer-a');
    const execution = gate.execute('runner-1', plan());
    await Promise.all([approval, execution]);
    expect(gate.phase).toBe('EXECUTE');

    const { gate: second } = setup({}, new SlowSink());
    await second.submit(AUTHOR);
    await second.approve('reviewer-a');
    const revision = second.revise(AUTHOR, plan(12));
    const lateExecution = failure(second.execute('runner-1', plan()));
    await revision;
    expect(await lateExecution).toMatchObject({ name: 'TransitionRejected', phase: 'PLAN', event: 'execute' });
  });
});

describe('bad input', () => {
  it('rejects blank, padded or reserved actor ids and a rejection without a reason, before touching anything', async () => {
    const { gate, sink } = setupWithSink();
    await gate.submit(AUTHOR);
    const before = gate.snapshot();
    expect(await failure(gate.approve(''))).toMatchObject({ name: 'InvalidGateArgument', argument: 'approver' });
    expect(await failure(gate.approve(' reviewer-a'))).toBeInstanceOf(InvalidGateArgument);
    expect(await failure(gate.approve('system'))).toMatchObject({ message: expect.stringContaining('reserved') as unknown });
    expect(await failure(gate.reject('reviewer-a', ' '))).toMatchObject({ argument: 'reason' });
    expect(gate.snapshot()).toBe(before);
    expect(kinds(sink)).toEqual(['plan.submitted']);
  });

  it('rejects a plan that is not plain data with the path of the problem, on creation, revision and execution', async () => {
    const clock = new ManualClock(START);
    const badPlan = { steps: [{ at: new Date(0) }] } as unknown as PlanData;
    expect(() => new ApprovalGate({ planId: 'p', author: AUTHOR, plan: badPlan, policy: { approvers: ['a'] }, audit: new SwitchableSink(), clock }))
      .toThrow(CanonicalEncodingError);
    const { gate } = setup();
    expect(await failure(gate.revise(AUTHOR, badPlan))).toMatchObject({ path: '$.steps[0].at' });
    await gate.submit(AUTHOR);
    expect(await failure(gate.execute('runner-1', badPlan))).toBeInstanceOf(CanonicalEncodingError);
  });

});

describe('a clock that misbehaves', () => {
  // A wall clock a test can set anywhere, backwards included.
  function settableClock(start: number): { clock: Clock; set: (ms: number) => void } {
    let now = start;
    return { clock: { now: () => now }, set: (ms) => void (now = ms) };
  }

  function gateOn(clock: Clock, sink = new SwitchableSink(), policy: Partial<GatePolicy> = {}): ApprovalGate {
    return new ApprovalGate({ planId: 'rollout-42', author: AUTHOR, plan: plan(), policy: { approvers: ['reviewer-a', 'reviewer-b'], ...policy }, audit: sink, clock });
  }

  it('keeps an expired approval expired when the clock steps back', async () => {
    const { clock, set } = settableClock(START);
    const gate = gateOn(clock, new SwitchableSink(), { approvalTtlMs: HOUR });
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    set(START + HOUR);
    expect(await failure(gate.execute('runner-1', plan()))).toMatchObject({ reason: 'approvals-insufficient', validApprovers: [] });

    set(START + 10 * MINUTE); // an NTP step, or someone setting the date
    expect(await failure(gate.execute('runner-1', plan()))).toMatchObject({ reason: 'approvals-insufficient', validApprovers: [] });
    expect(gate.phase).toBe('COMMIT');
  });

  it('holds time still while the clock is behind, so decisions are stamped no earlier than what came before', async () => {
    const { clock, set } = settableClock(START);
    const sink = new SwitchableSink();
    const gate = gateOn(clock, sink, { approvalTtlMs: HOUR });
    await gate.submit(AUTHOR);
    set(START + 30 * MINUTE);
    await gate.tick();
    set(START - 2 * HOUR);
    const approval = await gate.approve('reviewer-b');
    expect(approval).toMatchObject({ decidedAt: START + 30 * MINUTE, expiresAt: START + 90 * MINUTE });
    expect(sink.events.at(-1)?.at).toBe('2025-03-04T09:30:00.000Z');
    set(START + 90 * MINUTE);
    expect(await failure(gate.execute('runner-1', plan()))).toMatchObject({ reason: 'approvals-insufficient' });
  });

  it.each<[string, () => number]>([
    ['NaN', () => Number.NaN],
    ['Infinity', () => Number.POSITIVE_INFINITY],
    ['a negative time', () => -1],
    ['a fractional time', () => START + 0.5],
    ['a string', () => '2025-03-04' as unknown as number],
    ['an exception', () => { throw new Error('clock source unreachable'); }],
  ])('refuses to decide anything on a clock reading of %s: typed error, nothing recorded, nothing changed', async (_label, now) => {
    const sink = new SwitchableSink();
    let broken = false;
    const gate = gateOn({ now: () => (broken ? now() : START) }, sink);
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    const before = gate.snapshot();
    broken = true;
    for (const call of [() => gate.execute('runner-1', plan()), () => gate.approve('reviewer-b'), () => gate.tick(), () => gate.reject('reviewer-b', 'no')]) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(ClockReadingInvalid);
      expect(error.message).toMatch(/^the gate's clock answered .*, which is not a time: expected a whole number of ms since the epoch from 0 up\. Nothing was decided on it/);
    }
    expect(gate.snapshot()).toBe(before);
    expect(kinds(sink)).toEqual(['plan.submitted', 'approval.granted']);
  });
});
