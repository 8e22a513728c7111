import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRealisticPlan } from '../bench/realistic-plan.ts';
import { CanonicalEncodingError, hashPlan, identifyPlan, type PlanData } from '../src/index.ts';
import { allPaths, applyMutation, getAt, nudgeNumber, planArb, planMutationArb, samePlan, updateAt } from './support.ts';

describe('hashPlan', () => {
  it('is the lower-case hex SHA-256 of the canonical encoding', () => {
    const sha256OfEmptyObject = '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
    expect(hashPlan({})).toBe(sha256OfEmptyObject);
    const { planHash, canonical } = identifyPlan({ b: [1, 2], a: 'x' });
    expect(canonical).toBe('{"a":"x","b":[1,2]}');
    expect(planHash).toBe(createHash('sha256').update('{"a":"x","b":[1,2]}').digest('hex'));
    expect(planHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives a different hash for any change anywhere in a plan (property)', () => {
    fc.assert(
      fc.property(planArb, planMutationArb, (plan, mutation) => {
        const changed = applyMutation(plan, mutation);
        fc.pre(!samePlan(plan, changed));
        expect(hashPlan(changed)).not.toBe(hashPlan(plan));
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same hash only to plans that hold the same data (property)', () => {
    fc.assert(
      fc.property(planArb, planArb, (left, right) => {
        expect(hashPlan(left) === hashPlan(right)).toBe(samePlan(left, right));
      }),
      { numRuns: 200 },
    );
  });

  it('changes when any single value of a realistic 40-step plan changes by the smallest amount', () => {
    const plan = buildRealisticPlan();
    const original = hashPlan(plan);
    const leaves = allPaths(plan).filter((path) => {
      const node = getAt(plan, path);
      return typeof node !== 'object' || node === null;
    });
    expect(leaves.length).toBeGreaterThan(400);
    for (const path of leaves) {
      const edited = updateAt(plan, path, (node) =>
        typeof node === 'number' ? nudgeNumber(node) : typeof node === 'string' ? `${node} ` : typeof node === 'boolean' ? !node : 0,
      );
      expect(hashPlan(edited), `edit at ${path.join('.')}`).not.toBe(original);
    }
  });

  it('changes when two steps of a realistic plan swap places', () => {
    const plan = buildRealisticPlan() as { readonly steps: readonly PlanData[] };
    const [first, second, ...rest] = plan.steps;
    if (first === undefined || second === undefined) throw new Error('the realistic plan has fewer than 2 steps');
    expect(hashPlan({ ...plan, steps: [second, first, ...rest] })).not.toBe(hashPlan(plan));
  });

  it('is deterministic for the generated benchmark plan', () => {
    expect(hashPlan(buildRealisticPlan(40, 7))).toBe(hashPlan(buildRealisticPlan(40, 7)));
    expect(hashPlan(buildRealisticPlan(40, 7))).not.toBe(hashPlan(buildRealisticPlan(40, 8)));
  });

  it('refuses a plan that is not plain data instead of hashing a lossy version of it', () => {
    expect(() => hashPlan({ steps: [{ timeoutSeconds: Number.NaN }] })).toThrow(CanonicalEncodingError);
    expect(() => hashPlan({ steps: [{ timeoutSeconds: Number.NaN }] })).toThrow('$.steps[0].timeoutSeconds');
  });
});
