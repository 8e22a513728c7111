import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DesiredState, InvalidAgentSpec, planAction, specsEqual, validateAgentSpec } from '../src/index.ts';
import type { AgentDeploymentSpec } from '../src/index.ts';
import { spec, specArbitrary } from './helpers.ts';

describe('validateAgentSpec', () => {
  it.each([
    ['Triage', spec(), 'name', 'the name must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit, got "Triage" (string)'],
    ['triage', { ...spec(), model: '' }, 'model', '`model` must be a non-empty string, got "" (string)'],
    ['triage', { ...spec(), replicas: 1.5 }, 'replicas', '`replicas` must be a whole number from 0 up, got 1.5 (number)'],
    ['triage', { ...spec(), tools: 'search' }, 'tools', '`tools` must be a list of non-empty strings, got "search" (string)'],
    ['triage', { ...spec(), tools: ['search', 'search'] }, 'tools', '`tools` lists "search" twice'],
    ['triage', { ...spec(), version: undefined }, 'version', '`version` must be a non-empty string, got undefined (undefined)'],
  ])('rejects agent %s with a bad %#: names the field, the value and the fix', (name, input, field, problem) => {
    let caught: unknown;
    try {
      validateAgentSpec(name, input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidAgentSpec);
    expect(caught).toMatchObject({ field, message: `Agent deployment "${name}": ${problem}. Fix the declared spec and apply it again.` });
  });

  it('stores nothing and announces nothing when a declared spec is invalid', () => {
    const desired = new DesiredState();
    const heard: string[] = [];
    desired.watch((change) => heard.push(change.name));
    desired.apply('triage', spec());
    expect(() => desired.apply('triage', { ...spec(), replicas: -1 })).toThrow(InvalidAgentSpec);
    expect(desired.get('triage')).toEqual(spec());
    expect(heard).toEqual(['triage']);
  });
});

describe('planAction', () => {
  function applyPlan(observed: AgentDeploymentSpec | undefined, desired: AgentDeploymentSpec | undefined) {
    const action = planAction('agent', desired, observed);
    if (action === undefined) return observed;
    return action.kind === 'delete' ? undefined : action.spec;
  }

  it('yields at most one action after which observed equals desired, for any pair of states', () => {
    const maybeSpec = fc.option(specArbitrary, { nil: undefined });
    fc.assert(
      fc.property(maybeSpec, maybeSpec, (desired, observed) => {
        const after = applyPlan(observed, desired);
        if (desired === undefined) expect(after).toBeUndefined();
        else expect(after !== undefined && specsEqual(after, desired)).toBe(true);
        expect(planAction('agent', desired, after)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('plans nothing when only the order of tools differs', () => {
    expect(planAction('agent', spec({ tools: ['a', 'b'] }), spec({ tools: ['b', 'a'] }))).toBeUndefined();
  });
});
