import { MAX_DURATION_MS, describeValue } from '@12-factor-agentops/core';
import { StoreAnswerInvalid } from './errors.ts';
import type { CommitReceipt, Denial, ReleaseReceipt, Reservation } from './outcomes.ts';
import { DIMENSIONS, isAmount } from './usage.ts';
import type { Usage } from './usage.ts';

// Every answer of a quota store is checked before the enforcer acts on it. A store is code
// someone else wrote (a PostgreSQL store, a remote service, a test double), and a grant it
// answers by mistake would run work that nothing holds budget for. So the enforcer acts only
// on an answer that is exactly what the request asked for; anything else is a denial.

/** What a reservation was asked for: the answer must match it. */
export interface ReserveRequest {
  readonly scope: string;
  readonly estimate: Usage;
  /** The time handed to the store, ms since the epoch. */
  readonly now: number;
}

/** What a commit was asked to record. */
export interface CommitRequest {
  readonly scope: string;
  readonly reservationId: string;
  readonly actual: Usage;
}

/** What a release was asked to give back. */
export interface ReleaseRequest {
  readonly scope: string;
  readonly reservationId: string;
}

/**
 * Returns `answer` if it is a well-formed answer to `request`, else throws
 * `StoreAnswerInvalid` naming the first problem. A grant must be for `request.scope`, carry a
 * non-empty string id, hold exactly `request.estimate`, and expire at a whole number of ms
 * after `request.now` and at most 100 years later. A denial must be an `over-limit` denial
 * for the same scope and request, with its usage, exceeded dimensions and message.
 */
export function validateReservation(answer: unknown, request: ReserveRequest): Reservation | Denial {
  const problem = reservationProblem(answer, request.scope, request.estimate, request.now);
  if (problem !== undefined) throw new StoreAnswerInvalid('reserve', problem);
  return answer as Reservation | Denial;
}

/**
 * Returns `answer` if it records `request.actual` for `request.reservationId` in
 * `request.scope`, with an overshoot from 0 up to the actual in each dimension and `overshot`
 * and `late` set consistently; else throws `StoreAnswerInvalid`.
 */
export function validateCommitReceipt(answer: unknown, request: CommitRequest): CommitReceipt {
  const problem = commitProblem(answer, request.scope, request.reservationId, request.actual);
  if (problem !== undefined) throw new StoreAnswerInvalid('commit', problem);
  return answer as CommitReceipt;
}

/** Returns `answer` if it records the release of `request.reservationId` in `request.scope`; else throws `StoreAnswerInvalid`. */
export function validateReleaseReceipt(answer: unknown, request: ReleaseRequest): ReleaseReceipt {
  const problem = releaseProblem(answer, request.scope, request.reservationId);
  if (problem !== undefined) throw new StoreAnswerInvalid('release', problem);
  return answer as ReleaseReceipt;
}

/**
 * The first problem of a reserve answer, or `undefined`. Positional, and with a fast path
 * that reads each field once by name, so the enforcer's hot path allocates nothing; the
 * field-by-field account runs only for an answer that failed it.
 */
export function reservationProblem(answer: unknown, scope: string, estimate: Usage, now: number): string | undefined {
  if (isExactGrant(answer, scope, estimate, now)) return undefined;
  if (typeof answer !== 'object' || answer === null) return `the answer is ${describeValue(answer)}, expected an object`;
  const fields = answer as Record<string, unknown>;
  if (fields['granted'] === true) {
    const expiresAt = fields['expiresAt'];
    return (
      scopeProblem(fields, scope) ??
      idProblem(fields['id']) ??
      usageProblem(fields['estimate'], estimate, 'estimate', 'the amounts asked for') ??
      (typeof expiresAt === 'number' && Number.isSafeInteger(expiresAt) && expiresAt > now && expiresAt - now <= MAX_DURATION_MS
        ? undefined
        : `expiresAt is ${describeValue(expiresAt)}, expected a whole number of ms after ${now} (a lease that has not ended)`)
    );
  }
  if (fields['granted'] === false) return denialProblem(fields, scope, estimate);
  return `granted is ${describeValue(fields['granted'])}, expected true or false`;
}

/** The first problem of a commit answer, or `undefined`; a fast path as in `reservationProblem`. */
export function commitProblem(answer: unknown, scope: string, reservationId: string, actual: Usage): string | undefined {
  if (isExactCommit(answer, scope, reservationId, actual)) return undefined;
  const fields = recordedFields(answer);
  if (typeof fields === 'string') return fields;
  const problem = scopeProblem(fields, scope) ?? reservationIdProblem(fields, reservationId) ?? usageProblem(fields['actual'], actual, 'actual', 'the amounts committed');
  if (problem !== undefined) return problem;
  const overshoot = fields['overshoot'];
  if (typeof overshoot !== 'object' || overshoot === null) return `overshoot is ${describeValue(overshoot)}, expected an amount in each dimension`;
  let over = false;
  for (const dimension of DIMENSIONS) {
    const value = (overshoot as Record<string, unknown>)[dimension];
    if (!isAmount(value) || value > actual[dimension]) {
      return `overshoot.${dimension} is ${describeValue(value)}, expected a whole number from 0 to actual.${dimension} (${actual[dimension]})`;
    }
    if (value > 0) over = true;
  }
  if (fields['overshot'] !== over) {
    return `overshot is ${describeValue(fields['overshot'])}, expected ${over ? 'true (overshoot is above 0)' : 'false (overshoot is 0)'}`;
  }
  return lateProblem(fields);
}

/** The first problem of a release answer, or `undefined`. */
export function releaseProblem(answer: unknown, scope: string, reservationId: string): string | undefined {
  const fields = recordedFields(answer);
  if (typeof fields === 'string') return fields;
  return scopeProblem(fields, scope) ?? reservationIdProblem(fields, reservationId) ?? lateProblem(fields);
}

function isExactGrant(answer: unknown, scope: string, estimate: Usage, now: number): boolean {
  if (typeof answer !== 'object' || answer === null) return false;
  const grant = answer as Partial<Reservation>;
  if (grant.granted !== true || grant.scope !== scope || typeof grant.id !== 'string' || grant.id === '') return false;
  const held = grant.estimate;
  if (typeof held !== 'object' || held === null || held.tokens !== estimate.tokens || held.costMinor !== estimate.costMinor || held.toolCalls !== estimate.toolCalls) return false;
  const expiresAt = grant.expiresAt;
  return typeof expiresAt === 'number' && Number.isSafeInteger(expiresAt) && expiresAt > now && expiresAt - now <= MAX_DURATION_MS;
}

function isExactCommit(answer: unknown, scope: string, reservationId: string, actual: Usage): boolean {
  if (typeof answer !== 'object' || answer === null) return false;
  const receipt = answer as Partial<CommitReceipt>;
  if (receipt.recorded !== true || receipt.scope !== scope || receipt.reservationId !== reservationId || typeof receipt.late !== 'boolean') return false;
  const recorded = receipt.actual;
  if (typeof recorded !== 'object' || recorded === null || recorded.tokens !== actual.tokens || recorded.costMinor !== actual.costMinor || recorded.toolCalls !== actual.toolCalls) return false;
  const over = receipt.overshoot;
  if (typeof over !== 'object' || over === null) return false;
  const { tokens, costMinor, toolCalls } = over;
  if (!isAmount(tokens) || !isAmount(costMinor) || !isAmount(toolCalls) || tokens > actual.tokens || costMinor > actual.costMinor || toolCalls > actual.toolCalls) return false;
  return receipt.overshot === (tokens > 0 || costMinor > 0 || toolCalls > 0);
}

function denialProblem(fields: Record<string, unknown>, scope: string, estimate: Usage): string | undefined {
  if (fields['reason'] !== 'over-limit') return `reason is ${describeValue(fields['reason'])}, expected "over-limit"`;
  const problem = scopeProblem(fields, scope) ?? usageProblem(fields['requested'], estimate, 'requested', 'the amounts asked for');
  if (problem !== undefined) return problem;
  const used = fields['used'];
  if (typeof used !== 'object' || used === null || !DIMENSIONS.every((dimension) => isAmount((used as Record<string, unknown>)[dimension]))) {
    return `used is ${describeValue(used)}, expected an amount in each dimension`;
  }
  const exceeded = fields['exceeded'];
  if (!Array.isArray(exceeded) || exceeded.length === 0 || !exceeded.every((dimension) => (DIMENSIONS as readonly unknown[]).includes(dimension))) {
    return `exceeded is ${describeValue(exceeded)}, expected the dimensions over the limit`;
  }
  if (typeof fields['limit'] !== 'object' || fields['limit'] === null) return `limit is ${describeValue(fields['limit'])}, expected the quota's limits`;
  if (typeof fields['message'] !== 'string') return `message is ${describeValue(fields['message'])}, expected a string`;
  return undefined;
}

function recordedFields(answer: unknown): Record<string, unknown> | string {
  if (typeof answer !== 'object' || answer === null) return `the answer is ${describeValue(answer)}, expected an object`;
  const fields = answer as Record<string, unknown>;
  if (fields['recorded'] !== true) return `recorded is ${describeValue(fields['recorded'])}, expected true`;
  return fields;
}

function scopeProblem(fields: Record<string, unknown>, scope: string): string | undefined {
  return fields['scope'] === scope ? undefined : `scope is ${describeValue(fields['scope'])}, expected ${JSON.stringify(scope)}`;
}

function idProblem(id: unknown): string | undefined {
  return typeof id === 'string' && id !== '' ? undefined : `id is ${describeValue(id)}, expected a non-empty string`;
}

function reservationIdProblem(fields: Record<string, unknown>, reservationId: string): string | undefined {
  const id = fields['reservationId'];
  return id === reservationId ? undefined : `reservationId is ${describeValue(id)}, expected ${JSON.stringify(reservationId)}`;
}

function lateProblem(fields: Record<string, unknown>): string | undefined {
  return typeof fields['late'] === 'boolean' ? undefined : `late is ${describeValue(fields['late'])}, expected true or false`;
}

function usageProblem(value: unknown, expected: Usage, name: string, what: string): string | undefined {
  if (typeof value !== 'object' || value === null) return `${name} is ${describeValue(value)}, expected ${what}`;
  const usage = value as Record<string, unknown>;
  if (usage['tokens'] === expected.tokens && usage['costMinor'] === expected.costMinor && usage['toolCalls'] === expected.toolCalls) return undefined;
  for (const dimension of DIMENSIONS) {
    if (usage[dimension] !== expected[dimension]) return `${name}.${dimension} is ${describeValue(usage[dimension])}, expected ${expected[dimension]}`;
  }
  return undefined;
}
