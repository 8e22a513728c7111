import { NonDecreasingClock, systemClock, type Clock } from '@12-factor-agentops/core';
import type { ApprovalRecord } from './approvals.ts';
import { validApprovers } from './approvals.ts';
import { SYSTEM_ACTOR, type AuditSink, type GateAuditEvent, type GateAuditEventKind } from './audit.ts';
import type { JsonLimits } from './canonical-json.ts';
import {
  ApproverNotEligible,
  AuditAppendFailed,
  ExecutionRefused,
  InvalidGateArgument,
  people,
  SelfApprovalRefused,
} from './errors.ts';
import { firstFailingGuard, type GuardContext } from './guards.ts';
import { normalizeIdentity, personId, type IdentityNormalizer } from './identity.ts';
import { transitionFor, type Phase } from './phases.ts';
import { hashPlan, identifyPlan, type PlanData } from './plan-identity.ts';
import { eligibleApprovers, quorumShortfall, resolveGatePolicy, type GatePolicy, type ResolvedGatePolicy } from './policy.ts';

/** One submission of the plan to its approvers: its timer, its escalation level and the decisions taken in it. */
export interface GateRound {
  /** 1 for the first submission; a revised plan is submitted in a new round and earlier decisions never count. */
  readonly number: number;
  readonly submittedAt: number;
  readonly escalationLevel: number;
  /** When the current level's time runs out, in ms. */
  readonly deadline: number;
  /** When the required approvals were first all valid at once; from then on the gate's timer is stopped. */
  readonly answeredAt: number | null;
  readonly decisions: readonly ApprovalRecord[];
}

/** A read-only view of a gate. */
export interface GateSnapshot {
  readonly planId: string;
  /** The author's id, normalised. */
  readonly author: string;
  readonly phase: Phase;
  /**
   * The plan in the gate: the deep-frozen plain snapshot whose canonical JSON was hashed, read
   * once from the caller's object, so later edits to that object cannot reach it.
   */
  readonly plan: PlanData;
  readonly planHash: string;
  /** The author and everyone who revised the plan (normalised ids); none of them may decide on it. */
  readonly contributors: readonly string[];
  /** The current or last submission; `null` until the plan is first submitted. */
  readonly round: GateRound | null;
}

/** Proof that execution was allowed, and what to execute: which plan, approved by whom, when it started. */
export interface ExecutionPermit {
  readonly planId: string;
  readonly planHash: string;
  /**
   * The plan to execute: the deep-frozen snapshot whose canonical JSON has `planHash`, the very
   * data the approvers approved. Run this, never the caller's own object.
   */
  readonly plan: PlanData;
  readonly approvers: readonly string[];
  readonly startedAt: number;
}

/** How to build an `ApprovalGate`. */
export interface ApprovalGateOptions {
  readonly planId: string;
  readonly author: string;
  readonly plan: PlanData;
  readonly policy: GatePolicy;
  /** Receives every decision before it takes effect. */
  readonly audit: AuditSink;
  /**
   * Wall time; default `systemClock`. The gate reads it through a `NonDecreasingClock`: a step
   * back holds time still, so an expired approval stays expired, and a reading that is not a
   * time throws `ClockReadingInvalid` before anything is decided.
   */
  readonly clock?: Clock;
  /** Bounds on the plan; default `DEFAULT_MAX_PLAN_DEPTH` (64 levels) and `DEFAULT_MAX_PLAN_LENGTH` (1,048,576 characters). */
  readonly planLimits?: JsonLimits;
  /**
   * How people's ids are compared; default `normalizeIdentity` (NFKC, lower case, no invisible
   * characters). Pass `(id) => id` when ids already come canonical from your identity provider.
   */
  readonly normalizeIdentity?: IdentityNormalizer;
}

const iso = (ms: number): string => new Date(ms).toISOString();

// The plan snapshot and decision records are frozen when made, so a frozen object ends the walk.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * A human gate between a plan and its execution: PLAN → COMMIT → EXECUTE, following
 * `phaseTransitions`. Approvals bind to the plan's hash, expire, and never come from the
 * plan's author; an unanswered gate escalates and, at the end of its path, rejects. Every
 * decision is appended to the audit sink first and takes effect only once the sink accepts it.
 * Calls on one gate run one at a time, in call order.
 */
export class ApprovalGate {
  readonly planId: string;
  readonly policy: ResolvedGatePolicy;
  readonly #audit: AuditSink;
  readonly #clock: NonDecreasingClock;
  readonly #planLimits: JsonLimits;
  readonly #identify: IdentityNormalizer;
  #state: GateSnapshot;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ApprovalGateOptions) {
    if (typeof options.planId !== 'string' || options.planId.trim() === '') {
      throw new InvalidGateArgument('planId', `expected a non-empty id, got ${JSON.stringify(options.planId) ?? 'undefined'}`);
    }
    this.planId = options.planId;
    this.#identify = options.normalizeIdentity ?? normalizeIdentity;
    const author = personId('author', options.author, this.#identify);
    this.policy = resolveGatePolicy(options.policy, this.#identify);
    const left = quorumShortfall(this.policy, [author]);
    if (left !== null) {
      throw new InvalidGateArgument(
        'policy.requiredApprovals',
        `${this.policy.requiredApprovals} distinct approvals can never be met for plan "${this.planId}": approvers and escalationPath ` +
          `name ${people(left.length + 1)}, and ${author} wrote the plan and may not approve it, which leaves ${left.length}; ` +
          'name more approvers or require fewer approvals',
      );
    }
    this.#audit = options.audit;
    this.#clock = new NonDecreasingClock(options.clock ?? systemClock, { source: "the gate's clock" });
    this.#planLimits = Object.freeze({ ...options.planLimits });
    // One reading of the caller's plan: what is hashed is what the gate keeps and the permit hands over.
    const { planHash, plan } = identifyPlan(options.plan, this.#planLimits);
    this.#state = deepFreeze({ planId: options.planId, author, phase: 'PLAN', plan, planHash, contributors: [author], round: null });
  }

  /** The phase as last recorded; call `tick()` first to apply time-outs that are due. */
  get phase(): Phase {
    return this.#state.phase;
  }

  /** The gate as last recorded (frozen). */
  snapshot(): GateSnapshot {
    return this.#state;
  }

  /** Applies any escalation or time-out that is due; call it from a scheduler so silence turns into a decision. */
  tick(): Promise<GateSnapshot> {
    return this.#serially(async () => {
      await this.#applyDueTimers(this.#now());
      return this.#state;
    });
  }

  /** PLAN → COMMIT: freezes the plan by its hash, opens a new round and starts the gate's timer. */
  submit(actor: string): Promise<GateSnapshot> {
    return this.#serially(async () => {
      const id = this.#person('actor', actor);
      const now = this.#now();
      await this.#applyDueTimers(now);
      const state = this.#state;
      const { target } = transitionFor(state.phase, 'submit');
      const round: GateRound = {
        number: (state.round?.number ?? 0) + 1,
        submittedAt: now,
        escalationLevel: 0,
        deadline: now + this.policy.gateTimeoutMs,
        answeredAt: null,
        decisions: [],
      };
      await this.#take('plan.submitted', id, now, { ...state, phase: target, round }, {
        fromPhase: state.phase, toPhase: target, round: round.number,
        requiredApprovals: this.policy.requiredApprovals, deadline: iso(round.deadline),
      });
      return this.#state;
    });
  }

  /**
   * Replaces the plan (PLAN or COMMIT → PLAN) with a snapshot of `plan`. The reviser joins the
   * contributors; a new submission is needed. Refused when the reviser is an approver the quorum
   * cannot do without, since a reviser may not approve.
   */
  revise(actor: string, plan: PlanData): Promise<GateSnapshot> {
    return this.#serially(async () => {
      const id = this.#person('actor', actor);
      const revised = identifyPlan(plan, this.#planLimits);
      const now = this.#now();
      await this.#applyDueTimers(now);
      const state = this.#state;
      const { target } = transitionFor(state.phase, 'revise');
      const contributors = state.contributors.includes(id) ? state.contributors : [...state.contributors, id];
      const left = quorumShortfall(this.policy, contributors);
      if (left !== null) {
        throw new InvalidGateArgument(
          'actor',
          `${id} cannot revise plan "${this.planId}": whoever revises a plan may not approve it, which would leave ` +
            `${left.length} of the ${this.policy.requiredApprovals} distinct approvers it needs (${left.join(', ') || 'nobody'}); ` +
            'let someone who is not an approver revise it',
        );
      }
      const next = { ...state, phase: target, plan: revised.plan, planHash: revised.planHash, contributors };
      await this.#take('plan.revised', id, now, next, {
        fromPhase: state.phase, toPhase: target, previousPlanHash: state.planHash,
      });
      return this.#state;
    });
  }

  /** Records `approver`'s approval of the plan in the gate, valid for `policy.approvalTtlMs`. */
  approve(approver: string): Promise<ApprovalRecord> {
    return this.#serially(async () => {
      const { id, now, round, target } = await this.#admitDecision('approve', approver);
      const state = this.#state;
      const record = this.#decisionRecord(id, 'approved', now, now + this.policy.approvalTtlMs, round);
      const decisions = [...round.decisions, record];
      const valid = validApprovers(decisions, state.planHash, now, state.contributors);
      const answered = round.answeredAt ?? (valid.length >= this.policy.requiredApprovals ? now : null);
      await this.#take('approval.granted', id, now, { ...state, phase: target, round: { ...round, decisions, answeredAt: answered } }, {
        decision: 'approved', expiresAt: iso(now + this.policy.approvalTtlMs), validApprovals: valid.length,
        requiredApprovals: this.policy.requiredApprovals, escalationLevel: round.escalationLevel,
      });
      return record;
    });
  }

  /** Records `approver`'s rejection: COMMIT → REJECTED, final. `reason` goes to the audit trail. */
  reject(approver: string, reason: string): Promise<ApprovalRecord> {
    return this.#serially(async () => {
      if (typeof reason !== 'string' || reason.trim() === '') {
        throw new InvalidGateArgument('reason', 'a rejection needs a reason for the audit trail');
      }
      const { id, now, round, target } = await this.#admitDecision('reject', approver);
      const state = this.#state;
      const record = this.#decisionRecord(id, 'rejected', now, null, round);
      const decisions = [...round.decisions, record];
      await this.#take('approval.rejected', id, now, { ...state, phase: target, round: { ...round, decisions } }, {
        decision: 'rejected', reason, fromPhase: state.phase, toPhase: target, escalationLevel: round.escalationLevel,
      });
      return record;
    });
  }

  /**
   * COMMIT → EXECUTE for `plan`, the plan the caller means to run. Refused (and recorded)
   * unless its hash is the gate's and enough valid approvals exist for that hash right now.
   * The permit carries the plan to execute: the frozen snapshot that was hashed and approved.
   */
  execute(actor: string, plan: PlanData): Promise<ExecutionPermit> {
    return this.#serially(async () => {
      const id = this.#person('actor', actor);
      const presentedPlanHash = hashPlan(plan, this.#planLimits);
      const now = this.#now();
      await this.#applyDueTimers(now);
      const state = this.#state;
      const transition = transitionFor(state.phase, 'execute');
      const round = this.#openRound();
      const failed = firstFailingGuard(transition, this.#context(id, now, presentedPlanHash));
      const approvers = validApprovers(round.decisions, presentedPlanHash, now, state.contributors);
      if (failed !== undefined) {
        const reason = failed === 'isApprovedPlanHash' ? 'plan-changed' : 'approvals-insufficient';
        const refusal = new ExecutionRefused(this.planId, reason, state.planHash, presentedPlanHash, approvers, this.policy.requiredApprovals);
        throw await this.#refusal('execution.refused', id, now, refusal, {
          reason, guard: failed, presentedPlanHash, validApprovals: approvers.length, requiredApprovals: this.policy.requiredApprovals,
        });
      }
      await this.#take('execution.started', id, now, { ...state, phase: transition.target }, {
        fromPhase: state.phase, toPhase: transition.target, approvers: approvers.join(','), requiredApprovals: this.policy.requiredApprovals,
      });
      return Object.freeze({ planId: this.planId, planHash: state.planHash, plan: state.plan, approvers: Object.freeze([...approvers]), startedAt: now });
    });
  }

  /** EXECUTE → DONE, recording whether the run succeeded. */
  complete(actor: string, outcome: 'succeeded' | 'failed'): Promise<GateSnapshot> {
    return this.#serially(async () => {
      const id = this.#person('actor', actor);
      if (outcome !== 'succeeded' && outcome !== 'failed') {
        throw new InvalidGateArgument('outcome', `expected "succeeded" or "failed", got ${String(outcome)}`);
      }
      const now = this.#now();
      await this.#applyDueTimers(now);
      const state = this.#state;
      const { target } = transitionFor(state.phase, 'complete');
      await this.#take('phase.transitioned', id, now, { ...state, phase: target }, {
        event: 'complete', fromPhase: state.phase, toPhase: target, outcome,
      });
      return this.#state;
    });
  }

  // #region escalation-fails-closed
  // The gate's own decisions come before any caller's, so nobody acts on a gate whose time ran out.
  async #applyDueTimers(now: number): Promise<void> {
    for (;;) {
      const state = this.#state;
      const round = state.round;
      if (state.phase !== 'COMMIT' || round === null || round.answeredAt !== null || now < round.deadline) return;
      const context = this.#context(SYSTEM_ACTOR, now, state.planHash);
      const level = this.policy.escalationPath[round.escalationLevel];
      if (level !== undefined && firstFailingGuard(transitionFor('COMMIT', 'escalate'), context) === undefined) {
        const escalated = { ...round, escalationLevel: round.escalationLevel + 1, deadline: round.deadline + level.timeoutMs };
        await this.#take('gate.escalated', SYSTEM_ACTOR, now, { ...state, round: escalated }, {
          fromLevel: round.escalationLevel, toLevel: escalated.escalationLevel, levelName: level.name,
          approversAdded: level.approvers.join(','), dueAt: iso(round.deadline), nextDeadline: iso(escalated.deadline),
        });
      } else {
        // End of the escalation path and still no answer: the gate fails closed.
        const { target } = transitionFor('COMMIT', 'timeout');
        await this.#take('gate.timed-out', SYSTEM_ACTOR, now, { ...state, phase: target }, {
          fromPhase: 'COMMIT', toPhase: target, escalationLevel: round.escalationLevel, dueAt: iso(round.deadline),
        });
      }
    }
  }
  // #endregion escalation-fails-closed

  // Shared admission for approve and reject: due timers, the table, then the guards, whose refusals are recorded.
  async #admitDecision(event: 'approve' | 'reject', approver: string): Promise<{ id: string; now: number; round: GateRound; target: Phase }> {
    const id = this.#person('approver', approver);
    const now = this.#now();
    await this.#applyDueTimers(now);
    const { target, guards } = transitionFor(this.#state.phase, event);
    const round = this.#openRound();
    const failed = firstFailingGuard({ target, guards }, this.#context(id, now, this.#state.planHash));
    if (failed === undefined) return { id, now, round, target };
    const refusal =
      failed === 'isNotContributor'
        ? new SelfApprovalRefused(this.planId, id, event)
        : new ApproverNotEligible(this.planId, id, event, round.escalationLevel, [
            ...eligibleApprovers(this.policy, round.escalationLevel),
          ]);
    throw await this.#refusal('approval.refused', id, now, refusal, {
      decision: event, guard: failed, escalationLevel: round.escalationLevel,
    });
  }

  #decisionRecord(
    approver: string, decision: ApprovalRecord['decision'], now: number, expiresAt: number | null, round: GateRound,
  ): ApprovalRecord {
    const { planHash } = this.#state;
    return Object.freeze({ approver, decision, planHash, decidedAt: now, expiresAt, escalationLevel: round.escalationLevel });
  }

  #context(actor: string, now: number, presentedPlanHash: string): GuardContext {
    const { planHash, contributors, round } = this.#state;
    const escalationLevel = round?.escalationLevel ?? 0;
    const approvals = round?.decisions ?? [];
    return { policy: this.policy, actor, now, planHash, presentedPlanHash, contributors, escalationLevel, approvals };
  }

  #openRound(): GateRound {
    const round = this.#state.round;
    if (round === null) {
      throw new Error(`plan "${this.planId}" is in ${this.#state.phase} without a submission round; this is a bug in ApprovalGate`);
    }
    return round;
  }

  // Append first, change state second: a decision the sink did not take never happened.
  async #take(kind: GateAuditEventKind, actor: string, now: number, next: GateSnapshot, detail: GateAuditEvent['detail']): Promise<void> {
    await this.#append(kind, actor, now, next.planHash, detail);
    this.#state = deepFreeze(next);
  }

  async #refusal(kind: GateAuditEventKind, actor: string, now: number, refusal: Error, detail: GateAuditEvent['detail']): Promise<Error> {
    await this.#append(kind, actor, now, this.#state.planHash, { ...detail, refusal: refusal.message });
    return refusal;
  }

  async #append(kind: GateAuditEventKind, actor: string, now: number, planHash: string, detail: GateAuditEvent['detail']): Promise<void> {
    const event: GateAuditEvent = { kind, planId: this.planId, planHash, actor, at: iso(now), detail: Object.freeze({ ...detail }) };
    try {
      await this.#audit.append(Object.freeze(event));
    } catch (cause) {
      throw new AuditAppendFailed(this.planId, kind, cause);
    }
  }

  // Throws ClockReadingInvalid for a reading that is not a time; never answers less than before.
  #now(): number {
    return this.#clock.now();
  }

  // The id as the gate compares and records it: one person, one id.
  #person(argument: string, id: string): string {
    return personId(argument, id, this.#identify);
  }

  #serially<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
