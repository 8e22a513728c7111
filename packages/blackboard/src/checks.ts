// Argument checks shared by the stores, so both refuse the same bad input the same way.
import { InvalidOptionError, durationMs, wholeNumber } from '@12-factor-agentops/core';
import type { ClaimRequest } from './board.ts';
import { UnknownShardType } from './errors.ts';
import { checkName, checkShardId, checkTime } from './model.ts';
import type { BoardRules, Claim } from './model.ts';

export function checkClaimRequest(rules: BoardRules, request: ClaimRequest): ClaimRequest {
  const worker = checkName('worker', request.worker);
  const type = checkName('type', request.type);
  if (!rules.shardTypes.includes(type)) throw new UnknownShardType('(claim)', type, rules.shardTypes);
  return { worker, type, now: checkTime('now', request.now), ttlMs: durationMs('ttlMs', request.ttlMs) };
}

/** Checks the shape of a claim handed back; whether it still holds is the store's to decide. */
export function checkClaim(claim: Claim): void {
  if (typeof claim !== 'object' || claim === null) throw new InvalidOptionError('claim', 'a claim returned by claim()', claim);
  checkShardId(claim.shardId);
  checkName('claim.worker', claim.worker);
  wholeNumber('claim.attempt', claim.attempt, 1);
  wholeNumber('claim.token', claim.token, 1);
}

export function checkReason(reason: unknown): string {
  if (typeof reason !== 'string' || reason === '' || reason.length > 2_000) {
    throw new InvalidOptionError('reason', 'a non-empty string of at most 2,000 characters', reason);
  }
  return reason;
}

export function checkRevision(revision: unknown): number {
  return wholeNumber('revision', revision, 0);
}

export function checkLimit(limit: unknown): number {
  return wholeNumber('limit', limit, 1, 100_000);
}
