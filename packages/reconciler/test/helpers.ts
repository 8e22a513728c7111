import fc from 'fast-check';
import { expect } from 'vitest';
import { InvalidOptionError } from '../src/index.ts';
import type { AgentDeploymentSpec, ReconcileContext } from '../src/index.ts';

export const AGENT_NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'] as const;

export function spec(overrides: Partial<AgentDeploymentSpec> = {}): AgentDeploymentSpec {
  return { model: 'model-small', replicas: 1, tools: ['search'], version: 'v1', ...overrides };
}

export const specArbitrary: fc.Arbitrary<AgentDeploymentSpec> = fc.record({
  model: fc.constantFrom('model-small', 'model-large'),
  replicas: fc.integer({ min: 0, max: 3 }),
  tools: fc.subarray(['search', 'shell', 'tickets']),
  version: fc.constantFrom('v1', 'v2', 'v3'),
});

/** A comparable form of a set of deployments: names sorted, tools sorted. */
export function normalize(state: ReadonlyMap<string, AgentDeploymentSpec>): Record<string, AgentDeploymentSpec> {
  const out: Record<string, AgentDeploymentSpec> = {};
  for (const name of [...state.keys()].sort()) {
    const value = state.get(name);
    if (value !== undefined) out[name] = { ...value, tools: [...value.tools].sort() };
  }
  return out;
}

/** The context of a reconcile called directly, outside a controller: a signal that never aborts. */
export function noDeadline(): ReconcileContext {
  return { signal: new AbortController().signal };
}

/** Asserts that `act` throws an `InvalidOptionError` for `option` whose message is exactly `message`. */
export function expectInvalidOption(act: () => unknown, option: string, message: string): void {
  let caught: unknown;
  try {
    act();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidOptionError);
  expect([(caught as InvalidOptionError).option, (caught as Error).message]).toEqual([option, message]);
}
