import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABELS, LinearScanRouter, ModelRouter, TIER_IDS, joinLabels, profileFor } from '../src/index.ts';
import type { Label, RouteDecision, TierId } from '../src/index.ts';

// An independent statement of the rules, written from the README, not from the code.
const ORDER = ['PUBLIC', 'INTERNAL', 'RESTRICTED'];
const atLeast = (clearance: string, label: string): boolean => ORDER.indexOf(clearance) >= ORDER.indexOf(label);
const TASKS = ['summarise', 'draft', 'classify', 'translate'];

interface Entry {
  id: string;
  tier: TierId;
  kind: 'self-hosted' | 'hosted-api';
  clearance: Label;
  tasks: string[];
  model: string;
}

// Valid entries only: the catalogue validator refuses the rest (tested on its own).
const entry = fc
  .record({ tier: fc.constantFrom(...TIER_IDS), kind: fc.nat(), clearance: fc.nat(), tasks: fc.subarray(TASKS, { minLength: 1 }) })
  .map(({ tier, kind, clearance, tasks }) => {
    const profile = profileFor(tier);
    return {
      tier,
      kind: profile.endpointKinds[kind % profile.endpointKinds.length] ?? 'self-hosted',
      clearance: LABELS[clearance % (ORDER.indexOf(profile.clearanceCeiling) + 1)] ?? 'PUBLIC',
      tasks,
      model: 'model',
    };
  });
const catalogue = fc.array(entry, { maxLength: 12 }).map((entries): Entry[] => entries.map((item, index) => ({ id: `e${index}`, ...item })));
const validRequest = fc.record({ task: fc.constantFrom(...TASKS, 'unserved'), tier: fc.constantFrom(...TIER_IDS), label: fc.constantFrom(...LABELS) });
const unavailable = fc.array(fc.nat(13).map((n) => `e${n}`), { maxLength: 6 });

// Whatever a caller might pass: arbitrary values, wrong types in the right places, getters, proxies.
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.record({ task: fc.anything(), tier: fc.anything(), label: fc.anything() }),
  fc.record({ task: fc.constantFrom(...TASKS), tier: fc.constantFrom(...TIER_IDS, 'orbit', ''), label: fc.constantFrom(...LABELS, 'SECRET', 'public', Number.NaN) }),
  validRequest.map((request) => Object.defineProperty({ ...request }, 'label', { enumerable: true, get: () => 'PUBLIC' })),
  validRequest.map((request) => new Proxy(request, { get: () => { throw new Error('trap ran'); } })),
  fc.constant(Object.create({ task: 'summarise', tier: 'connected', label: 'PUBLIC' }) as unknown),
);
const hostileHealth: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.record({ unavailable }),
  fc.anything(),
  fc.record({ unavailable: fc.array(fc.anything(), { maxLength: 3 }) }),
  fc.constant(new Proxy({ unavailable: [] }, { ownKeys: () => { throw new Error('trap ran'); } })),
);

function expected(entries: readonly Entry[], request: { task: string; tier: TierId; label: Label }, down: readonly string[]): string {
  const profile = profileFor(request.tier);
  if (!atLeast(profile.clearanceCeiling, request.label)) return 'refused tier-not-cleared';
  const serving = entries.filter((item) => item.tasks.includes(request.task));
  if (serving.length === 0) return 'refused no-endpoint-for-task';
  const reachable = serving.filter((item) => profile.reaches.includes(item.tier));
  if (reachable.length === 0) return 'refused no-endpoint-reachable';
  const cleared = reachable.filter((item) => atLeast(item.clearance, request.label));
  if (cleared.length === 0) return 'refused no-endpoint-cleared';
  const preferred = [...cleared].sort((a, b) => profile.reaches.indexOf(a.tier) - profile.reaches.indexOf(b.tier));
  const chosen = preferred.find((item) => !down.includes(item.id));
  return chosen === undefined ? 'refused no-endpoint-available' : `routed ${chosen.id}`;
}

const summary = (decision: RouteDecision): string => (decision.decision === 'routed' ? `routed ${decision.endpoint.id}` : `refused ${decision.reason}`);

describe('router invariants (fast-check)', () => {
  it('never routes to an endpoint cleared below the label, outside the caller’s reach, not serving the task, or reported down', () => {
    fc.assert(
      fc.property(catalogue, validRequest, unavailable, (entries, request, down) => {
        const decision = new ModelRouter({ endpoints: entries }).route(request, { unavailable: down });
        if (decision.decision === 'refused') return;
        const chosen = entries.find((item) => item.id === decision.endpoint.id);
        expect(chosen).toBeDefined();
        expect(atLeast(chosen?.clearance ?? 'PUBLIC', request.label)).toBe(true);
        expect(profileFor(request.tier).reaches).toContain(chosen?.tier);
        expect(chosen?.tasks).toContain(request.task);
        expect(down).not.toContain(chosen?.id);
        expect(atLeast(profileFor(request.tier).clearanceCeiling, request.label)).toBe(true);
        expect(decision.outputLabel).toBe(request.label);
      }),
      { numRuns: 300 },
    );
  });

  it('decides exactly as an independent statement of the rules: the first eligible endpoint by preference, or the first rule nothing passed', () => {
    fc.assert(
      fc.property(catalogue, validRequest, unavailable, (entries, request, down) => {
        expect(summary(new ModelRouter({ endpoints: entries }).route(request, { unavailable: down }))).toBe(expected(entries, request, down));
      }),
      { numRuns: 300 },
    );
  });

  it('is total: any request and any health report give a decision, never an exception', () => {
    const router = new ModelRouter({ endpoints: [{ id: 'e0', tier: 'connected', kind: 'hosted-api', clearance: 'PUBLIC', tasks: ['summarise'], model: 'm' }] });
    fc.assert(
      fc.property(hostile, hostileHealth, (request, health) => {
        const decision = router.route(request, health);
        expect(['routed', 'refused']).toContain(decision.decision);
        if (decision.decision === 'refused') expect(typeof decision.explanation).toBe('string');
      }),
      { numRuns: 600 },
    );
  });

  it('never turns a refusal into a route below the label by adding an endpoint: a new route can only be the new endpoint, cleared for the label', () => {
    fc.assert(
      fc.property(catalogue, entry, fc.nat(), validRequest, unavailable, (entries, added, at, request, down) => {
        const before = new ModelRouter({ endpoints: entries }).route(request, { unavailable: down });
        fc.pre(before.decision === 'refused');
        const more = [...entries];
        more.splice(at % (entries.length + 1), 0, { id: 'added', ...added });
        const after = new ModelRouter({ endpoints: more }).route(request, { unavailable: down });
        if (after.decision === 'routed') {
          expect(after.endpoint.id).toBe('added');
          expect(atLeast(added.clearance, request.label)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same decisions as a linear scan of the catalogue', () => {
    fc.assert(
      fc.property(catalogue, fc.oneof(validRequest, hostile), fc.oneof(fc.record({ unavailable }), hostileHealth), (entries, request, health) => {
        expect(new ModelRouter({ endpoints: entries }).route(request, health)).toEqual(new LinearScanRouter({ endpoints: entries }).route(request, health));
      }),
      { numRuns: 300 },
    );
  });

  it('cannot write down along a chain: each call carries the labels of everything before it', () => {
    const step = fc.record({ task: fc.constantFrom(...TASKS), tier: fc.constantFrom(...TIER_IDS), fresh: fc.constantFrom(...LABELS) });
    fc.assert(
      fc.property(catalogue, fc.array(step, { minLength: 1, maxLength: 6 }), (entries, steps) => {
        const router = new ModelRouter({ endpoints: entries });
        let carried: Label = 'PUBLIC';
        const seen: Label[] = [];
        for (const { task, tier, fresh } of steps) {
          const label = joinLabels([carried, fresh]);
          seen.push(fresh);
          const decision = router.route({ task, tier, label });
          if (decision.decision === 'refused') break;
          for (const input of seen) expect(atLeast(decision.endpoint.clearance, input)).toBe(true);
          carried = decision.outputLabel;
        }
      }),
      { numRuns: 300 },
    );
  });
});
