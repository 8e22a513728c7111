// Model-based property test: random sequences of submit, revise, approve, reject, advance
// the clock, tick, execute (of the exact plan or an edited one) and complete, some of them
// while the audit sink is down, run against the real gate and against a small model written
// independently of it (plans compared by content with `samePlan`, never by hash; time-outs
// computed in closed form instead of step by step). Every outcome must match, and every
// execution must be justified twice: by the model, and by the audit trail alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApprovalGate,
  hashPlan,
  ManualClock,
  type EscalationLevel,
  type GateAuditEvent,
  type Phase,
  type PlanData,
} from '../src/index.ts';
import { applyMutation, planArb, planMutationArb, samePlan, SwitchableSink, type PlanMutation } from './support.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const AUTHOR = 'agent-7';
const APPROVERS = ['rev-a', 'rev-b', 'rev-c'];
const LEVELS: readonly EscalationLevel[] = [
  { name: 'team-lead', approvers: ['lead-1'], timeoutMs: HOUR },
  { name: 'duty-manager', approvers: ['mgr-1'], timeoutMs: 30 * MINUTE },
];
const ACTORS = [AUTHOR, ...APPROVERS, 'lead-1', 'mgr-1', 'outsider'];

interface Settings {
  readonly requiredApprovals: number;
  readonly approvalTtlMs: number;
  readonly gateTimeoutMs: number;
  readonly escalationPath: readonly EscalationLevel[];
}

interface ModelRound {
  readonly submittedAt: number;
  answeredAt: number | null;
  readonly approvals: { readonly approver: string; readonly at: number; readonly plan: PlanData }[];
}

interface Model {
  readonly settings: Settings;
  phase: Phase;
  plan: PlanData;
  readonly contributors: Set<string>;
  round: ModelRound | null;
  now: number;
}

interface Real {
  readonly gate: ApprovalGate;
  readonly clock: ManualClock;
  readonly sink: SwitchableSink;
}

type Outcome = 'ok' | 'TransitionRejected' | 'InvalidGateArgument' | 'SelfApprovalRefused' | 'ApproverNotEligible' | 'plan-changed' | 'approvals-insufficient';

const seen = new Map<string, number>();
const count = (what: string): void => void seen.set(what, (seen.get(what) ?? 0) + 1);

// Closed-form time: the deadline of each level, and the level reached by time t.
function deadlines(model: Model, round: ModelRound): number[] {
  const result = [round.submittedAt + model.settings.gateTimeoutMs];
  for (const level of model.settings.escalationPath) result.push((result.at(-1) ?? 0) + level.timeoutMs);
  return result;
}

function levelAt(model: Model, t: number): number {
  const round = model.round;
  if (round === null) return 0;
  const until = round.answeredAt ?? t;
  return deadlines(model, round).slice(0, model.settings.escalationPath.length).filter((d) => d <= until).length;
}

function settle(model: Model): void {
  const round = model.round;
  if (model.phase === 'COMMIT' && round !== null && round.answeredAt === null && model.now >= (deadlines(model, round).at(-1) ?? 0)) {
    model.phase = 'REJECTED';
    count('gate timed out');
  }
}

function eligible(model: Model, actor: string): boolean {
  const level = levelAt(model, model.now);
  return APPROVERS.includes(actor) || model.settings.escalationPath.slice(0, level).some((l) => l.approvers.includes(actor));
}

function validApproversFor(model: Model, presented: PlanData): Set<string> {
  const valid = new Set<string>();
  for (const approval of model.round?.approvals ?? []) {
    const fresh = model.now < approval.at + model.settings.approvalTtlMs;
    if (fresh && samePlan(approval.plan, presented) && !model.contributors.has(approval.approver)) valid.add(approval.approver);
  }
  return valid;
}

// Decides what the gate must answer and, when the answer is "ok", applies it to the model.
function decide(model: Model, command: Command): Outcome {
  const { kind } = command;
  if (kind === 'tick') return 'ok';
  if (kind === 'submit') {
    if (model.phase !== 'PLAN') return 'TransitionRejected';
    model.phase = 'COMMIT';
    model.round = { submittedAt: model.now, answeredAt: null, approvals: [] };
    return 'ok';
  }
  if (kind === 'revise') {
    if (model.phase !== 'PLAN' && model.phase !== 'COMMIT') return 'TransitionRejected';
    // A reviser may not approve: a revision that leaves too few people to approve is refused.
    const everyone = new Set([...APPROVERS, ...model.settings.escalationPath.flatMap((level) => level.approvers)]);
    const left = [...everyone].filter((person) => person !== command.actor && !model.contributors.has(person));
    if (left.length < model.settings.requiredApprovals) return 'InvalidGateArgument';
    model.phase = 'PLAN';
    model.plan = applyMutation(model.plan, command.mutation);
    model.contributors.add(command.actor);
    return 'ok';
  }
  if (kind === 'complete') {
    if (model.phase !== 'EXECUTE') return 'TransitionRejected';
    model.phase = 'DONE';
    return 'ok';
  }
  if (model.phase !== 'COMMIT' || model.round === null) return 'TransitionRejected';
  const round = model.round;
  if (kind === 'approve' || kind === 'reject') {
    if (model.contributors.has(command.actor)) return 'SelfApprovalRefused';
    if (!eligible(model, command.actor)) return 'ApproverNotEligible';
    if (kind === 'reject') {
      model.phase = 'REJECTED';
      return 'ok';
    }
    round.approvals.push({ approver: command.actor, at: model.now, plan: model.plan });
    if (round.answeredAt === null && validApproversFor(model, model.plan).size >= model.settings.requiredApprovals) {
      round.answeredAt = model.now;
    }
    return 'ok';
  }
  const presented = presentedPlan(model, command);
  if (!samePlan(presented, model.plan)) return 'plan-changed';
  if (validApproversFor(model, presented).size < model.settings.requiredApprovals) return 'approvals-insufficient';
  model.phase = 'EXECUTE';
  return 'ok';
}

type Command =
  | { readonly kind: 'submit' | 'approve' | 'reject' | 'complete'; readonly actor: string; readonly sinkDown: boolean }
  | { readonly kind: 'revise'; readonly actor: string; readonly mutation: PlanMutation; readonly sinkDown: boolean }
  | { readonly kind: 'execute'; readonly actor: string; readonly tamper: PlanMutation | null; readonly sinkDown: boolean }
  | { readonly kind: 'tick'; readonly actor: string; readonly sinkDown: boolean };

function presentedPlan(model: Model, command: Command): PlanData {
  return command.kind === 'execute' && command.tamper !== null ? applyMutation(model.plan, command.tamper) : model.plan;
}

async function act(real: Real, model: Model, command: Command): Promise<void> {
  switch (command.kind) {
    case 'submit': await real.gate.submit(command.actor); return;
    case 'revise': await real.gate.revise(command.actor, applyMutation(model.plan, command.mutation)); return;
    case 'approve': await real.gate.approve(command.actor); return;
    case 'reject': await real.gate.reject(command.actor, 'not this plan'); return;
    case 'execute': await real.gate.execute(command.actor, presentedPlan(model, command)); return;
    case 'complete': await real.gate.complete(command.actor, 'succeeded'); return;
    case 'tick': await real.gate.tick(); return;
  }
}

function outcomeOf(error: unknown): string {
  if (error instanceof Error && error.name === 'ExecutionRefused') return (error as Error & { reason: string }).reason;
  return error instanceof Error ? error.name : String(error);
}

class GateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly command: Command) {}

  check(): boolean {
    return true;
  }

  async run(model: Model, real: Real): Promise<void> {
    const before = real.gate.snapshot();
    const recorded = real.sink.events.length;
    real.sink.failing = this.command.sinkDown;
    let outcome = 'ok';
    try {
      await act(real, model, this.command);
    } catch (error) {
      outcome = outcomeOf(error);
    } finally {
      real.sink.failing = false;
    }

    if (this.command.sinkDown) {
      // Fail closed: nothing the sink did not record may take effect, and the model stays put.
      expect(real.gate.snapshot()).toBe(before);
      expect(real.sink.events).toHaveLength(recorded);
      expect(outcome === 'ok' ? this.command.kind : outcome).toMatch(/^(tick|AuditAppendFailed|TransitionRejected|InvalidGateArgument)$/);
      if (outcome === 'AuditAppendFailed') count('sink down: decision not taken');
      return;
    }

    settle(model);
    const expected = decide(model, this.command);
    expect(outcome).toBe(expected);
    count(`${this.command.kind}: ${outcome}`);
    expect(real.gate.phase).toBe(model.phase);
    if (model.phase === 'COMMIT') {
      const level = levelAt(model, model.now);
      expect(real.gate.snapshot().round?.escalationLevel).toBe(level);
      if (level > 0) count('gate escalated');
    }
    if (this.command.kind === 'execute' && outcome === 'ok') {
      // The safety property, stated against the model: the exact plan, enough fresh approvals of it.
      const presented = presentedPlan(model, this.command);
      expect(samePlan(presented, model.plan)).toBe(true);
      expect(validApproversFor(model, presented).size).toBeGreaterThanOrEqual(model.settings.requiredApprovals);
      expect(real.sink.events.at(-1)?.planHash).toBe(hashPlan(presented));
    }
  }

  toString(): string {
    return JSON.stringify(this.command);
  }
}

class AdvanceClock implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}

  check(): boolean {
    return true;
  }

  run(model: Model, real: Real): Promise<void> {
    model.now += this.ms;
    real.clock.advance(this.ms);
    return Promise.resolve();
  }

  toString(): string {
    return `advance(${this.ms / MINUTE} min)`;
  }
}

// Reads only the audit trail: every execution.started must follow, in the same round, approvals
// of that exact hash by enough distinct people who did not write the plan and whose approval
// had not expired.
function expectAuditJustifiesEveryExecution(events: readonly GateAuditEvent[], requiredApprovals: number): void {
  const contributors = new Set([AUTHOR]);
  let granted: { actor: string; planHash: string; expiresAt: number }[] = [];
  for (const event of events) {
    if (event.kind === 'plan.revised') contributors.add(event.actor);
    if (event.kind === 'plan.submitted') granted = [];
    if (event.kind === 'approval.granted') {
      granted.push({ actor: event.actor, planHash: event.planHash, expiresAt: Date.parse(String(event.detail['expiresAt'])) });
    }
    if (event.kind === 'execution.started') {
      const at = Date.parse(event.at);
      const approvers = new Set(
        granted.filter((g) => g.planHash === event.planHash && at < g.expiresAt && !contributors.has(g.actor)).map((g) => g.actor),
      );
      expect(approvers.size).toBeGreaterThanOrEqual(requiredApprovals);
    }
  }
}

const sinkDownArb = fc.nat(9).map((n) => n === 0);
// Mostly people who may approve, so gates reach quorum often enough to test execution.
const deciderArb = fc.constantFrom(...APPROVERS, ...APPROVERS, ...ACTORS);
const gateCommand = (arb: fc.Arbitrary<Command>, weight: number) => ({ arbitrary: arb.map((c) => new GateCommand(c)), weight });
const commandArb: fc.Arbitrary<fc.AsyncCommand<Model, Real>> = fc.oneof(
  gateCommand(fc.record({ kind: fc.constant('submit' as const), actor: fc.constant(AUTHOR), sinkDown: sinkDownArb }), 3),
  gateCommand(fc.record({ kind: fc.constant('revise' as const), actor: fc.constantFrom(AUTHOR, AUTHOR, 'rev-c', 'outsider'), mutation: planMutationArb, sinkDown: sinkDownArb }), 2),
  gateCommand(fc.record({ kind: fc.constant('approve' as const), actor: deciderArb, sinkDown: sinkDownArb }), 8),
  gateCommand(fc.record({ kind: fc.constant('reject' as const), actor: deciderArb, sinkDown: sinkDownArb }), 1),
  gateCommand(fc.record({ kind: fc.constant('execute' as const), actor: fc.constant('runner-1'), tamper: fc.option(planMutationArb, { freq: 2, nil: null }), sinkDown: sinkDownArb }), 5),
  gateCommand(fc.record({ kind: fc.constant('complete' as const), actor: fc.constant('runner-1'), sinkDown: sinkDownArb }), 1),
  gateCommand(fc.record({ kind: fc.constant('tick' as const), actor: fc.constant('system'), sinkDown: sinkDownArb }), 2),
  { arbitrary: fc.constantFrom(0, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR).map((ms) => new AdvanceClock(ms)), weight: 4 },
);

const settingsArb: fc.Arbitrary<Settings> = fc.record({
  requiredApprovals: fc.integer({ min: 1, max: 3 }),
  approvalTtlMs: fc.constantFrom(30 * MINUTE, 2 * HOUR),
  gateTimeoutMs: fc.constantFrom(HOUR, 2 * HOUR),
  escalationPath: fc.constantFrom(LEVELS.slice(0, 0), LEVELS.slice(0, 1), LEVELS),
});

describe('an approval gate under any sequence of operations (model-based property)', () => {
  it('never executes a plan without enough valid, unexpired approvals for its exact hash, and agrees with the model on every outcome', async () => {
    await fc.assert(
      fc.asyncProperty(settingsArb, planArb, fc.commands([commandArb], { maxCommands: 30, size: 'max' }), async (settings, plan, commands) => {
        const start = Date.UTC(2025, 0, 6, 8, 0, 0);
        const clock = new ManualClock(start);
        const sink = new SwitchableSink();
        const gate = new ApprovalGate({ planId: 'plan-1', author: AUTHOR, plan, policy: { approvers: APPROVERS, ...settings }, audit: sink, clock });
        // Every run starts at the gate, submitted; a revision takes it back to PLAN.
        await gate.submit(AUTHOR);
        const round: ModelRound = { submittedAt: start, answeredAt: null, approvals: [] };
        const model: Model = { settings, phase: 'COMMIT', plan, contributors: new Set([AUTHOR]), round, now: start };
        await fc.asyncModelRun(() => ({ model, real: { gate, clock, sink } }), commands);
        expectAuditJustifiesEveryExecution(sink.events, settings.requiredApprovals);
      }),
      { numRuns: 1000 },
    );
    // Guard against a vacuous pass: the runs must have reached every interesting outcome.
    for (const outcome of [
      'execute: ok', 'execute: plan-changed', 'execute: approvals-insufficient', 'approve: SelfApprovalRefused',
      'approve: ApproverNotEligible', 'revise: ok', 'revise: InvalidGateArgument', 'tick: ok', 'complete: ok', 'sink down: decision not taken',
      'gate escalated', 'gate timed out',
    ]) {
      expect(seen.get(outcome) ?? 0, outcome).toBeGreaterThan(0);
    }
  });
});
