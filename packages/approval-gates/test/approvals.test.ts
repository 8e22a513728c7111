import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validApprovers, type ApprovalRecord } from '../src/index.ts';

const HASH = 'a'.repeat(64);
const OTHER_HASH = 'b'.repeat(64);
const approval = (approver: string, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  approver, decision: 'approved', planHash: HASH, decidedAt: 0, expiresAt: 1_000, escalationLevel: 0, ...overrides,
});

describe('validApprovers', () => {
  it('counts an approval only for the exact plan hash it was given for', () => {
    expect(validApprovers([approval('a'), approval('b', { planHash: OTHER_HASH })], HASH, 10, [])).toEqual(['a']);
  });

  it('stops counting an approval at the moment it expires', () => {
    expect(validApprovers([approval('a')], HASH, 999, [])).toEqual(['a']);
    expect(validApprovers([approval('a')], HASH, 1_000, [])).toEqual([]);
  });

  it('never counts an approval by someone who wrote or revised the plan, nor a rejection', () => {
    const records = [approval('author'), approval('reviser'), approval('c', { decision: 'rejected', expiresAt: null })];
    expect(validApprovers(records, HASH, 10, ['author', 'reviser'])).toEqual([]);
  });

  it('counts each person once, however often they approved', () => {
    expect(validApprovers([approval('a'), approval('a', { decidedAt: 5, expiresAt: 2_000 }), approval('b')], HASH, 10, [])).toEqual(['a', 'b']);
  });

  it('returns exactly the distinct approvers that pass every rule (property)', () => {
    const recordArb = fc.record({
      approver: fc.constantFrom('a', 'b', 'c', 'author'),
      decision: fc.constantFrom<ApprovalRecord['decision']>('approved', 'rejected'),
      planHash: fc.constantFrom(HASH, OTHER_HASH),
      decidedAt: fc.nat(100),
      expiresAt: fc.option(fc.nat(200), { nil: null }),
      escalationLevel: fc.nat(2),
    });
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 8 }), fc.nat(200), (records, now) => {
        const expected = new Set(
          records
            .filter((r) => r.decision === 'approved' && r.planHash === HASH && r.expiresAt !== null && now < r.expiresAt && r.approver !== 'author')
            .map((r) => r.approver),
        );
        expect(new Set(validApprovers(records, HASH, now, ['author']))).toEqual(expected);
        expect(validApprovers(records, HASH, now, ['author'])).toHaveLength(expected.size);
      }),
      { numRuns: 300 },
    );
  });
});
