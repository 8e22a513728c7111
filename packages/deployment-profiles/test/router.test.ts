import { readFileSync } from 'node:fs';
import { canonicalJson } from '@12-factor-agentops/approval-gates';
import { ClockReadingInvalid, ManualClock } from '@12-factor-agentops/core';
import { describe, expect, it } from 'vitest';
import {
  InvalidRouteRequest,
  ModelRouter,
  ROUTER_RULES,
  UnknownLabel,
  UnknownTier,
  parseRouteRequest,
  routeHealth,
  routingDecisionId,
  toRoutingRecord,
} from '../src/index.ts';
import type { RouteDecision } from '../src/index.ts';

const router = new ModelRouter(JSON.parse(readFileSync(new URL('../examples/endpoint-catalogue.json', import.meta.url), 'utf8')));

function outcome(decision: RouteDecision): string {
  return decision.decision === 'routed' ? `${decision.endpoint.id}${decision.fallback ? ' (fallback)' : ''}` : `refused ${decision.reason} by ${decision.rule}`;
}

describe('routing by task, tier and label', () => {
  it.each([
    ['summarise', 'disconnected-edge', 'RESTRICTED', [], 'edge-gpu-8b'],
    ['summarise', 'disconnected-edge', 'RESTRICTED', ['edge-gpu-8b'], 'edge-cpu-3b (fallback)'],
    ['draft', 'disconnected-edge', 'RESTRICTED', ['edge-gpu-8b'], 'refused no-endpoint-available by endpoint-available'],
    ['translate', 'disconnected-edge', 'PUBLIC', [], 'refused no-endpoint-reachable by endpoint-within-reach'],
    ['code-review', 'internal-datacenter', 'RESTRICTED', [], 'dc-vllm-70b'],
    ['classify', 'internal-datacenter', 'RESTRICTED', ['dc-vllm-70b'], 'refused no-endpoint-available by endpoint-available'],
    ['classify', 'internal-datacenter', 'INTERNAL', ['dc-vllm-70b'], 'dc-sglang-8b (fallback)'],
    ['draft', 'connected', 'PUBLIC', [], 'hosted-large'],
    ['draft', 'connected', 'INTERNAL', [], 'hosted-contract'],
    ['draft', 'connected', 'INTERNAL', ['hosted-contract'], 'dc-vllm-70b (fallback)'],
    ['code-review', 'connected', 'INTERNAL', [], 'dc-vllm-70b'],
    ['translate', 'connected', 'INTERNAL', ['connected-vllm-8b'], 'refused no-endpoint-available by endpoint-available'],
    ['summarise', 'connected', 'RESTRICTED', [], 'refused tier-not-cleared by tier-cleared-for-label'],
    ['caption', 'connected', 'INTERNAL', [], 'refused no-endpoint-cleared by endpoint-cleared-for-label'],
    ['caption', 'connected', 'PUBLIC', [], 'hosted-large'],
    ['plan-route', 'internal-datacenter', 'PUBLIC', [], 'refused no-endpoint-for-task by endpoint-serves-task'],
    ['translate', 'internal-datacenter', 'INTERNAL', [], 'refused no-endpoint-reachable by endpoint-within-reach'],
  ])('%s from %s with %s data (down: %j) → %s', (task, tier, label, down, expected) => {
    expect(outcome(router.route({ task, tier, label }, { unavailable: down }))).toBe(expected);
  });

  it('refuses when every endpoint within reach is cleared below the label, rather than write down', () => {
    const small = new ModelRouter({ endpoints: [
      { id: 'dc-public', tier: 'internal-datacenter', kind: 'self-hosted', clearance: 'PUBLIC', tasks: ['summarise'], model: 'm' },
      { id: 'edge-restricted', tier: 'disconnected-edge', kind: 'self-hosted', clearance: 'RESTRICTED', tasks: ['summarise'], model: 'm' },
    ] });
    const decision = small.route({ task: 'summarise', tier: 'internal-datacenter', label: 'INTERNAL' });
    expect(decision).toMatchObject({ decision: 'refused', reason: 'no-endpoint-cleared', rule: 'endpoint-cleared-for-label', counts: { servingTask: 2, withinReach: 1, cleared: 0 } });
    expect(decision.explanation).toBe('summarise from internal-datacenter with INTERNAL data: 1 endpoint(s) within reach serve "summarise", none cleared for INTERNAL; refused rather than write down');
  });

  it('explains a routed decision and labels its output with the input’s label', () => {
    const decision = router.route({ task: 'summarise', tier: 'disconnected-edge', label: 'INTERNAL' }, { unavailable: ['edge-gpu-8b'] });
    expect(decision).toEqual({
      decision: 'routed',
      request: { task: 'summarise', tier: 'disconnected-edge', label: 'INTERNAL' },
      endpoint: { id: 'edge-cpu-3b', tier: 'disconnected-edge', kind: 'self-hosted', clearance: 'RESTRICTED', model: 'llama-3.2-3b-instruct-q4_0' },
      outputLabel: 'INTERNAL',
      rule: 'preference-order',
      fallback: true,
      skippedUnavailable: ['edge-gpu-8b'],
      counts: { servingTask: 7, withinReach: 2, cleared: 2 },
      explanation: 'summarise from disconnected-edge with INTERNAL data → edge-cpu-3b (disconnected-edge, self-hosted, cleared RESTRICTED), falling back past unavailable edge-gpu-8b: first by preference of 2 endpoint(s) serving the task, within reach and cleared for INTERNAL; the response is INTERNAL',
      catalogueHash: router.catalogue.catalogueHash,
    });
  });

  it('names every refusal reason in its rule table', () => {
    expect(ROUTER_RULES.map((rule) => rule.refusal)).toEqual([
      'invalid-request', 'unknown-tier', 'unknown-label', 'tier-not-cleared', 'no-endpoint-for-task', 'no-endpoint-reachable', 'no-endpoint-cleared', 'no-endpoint-available', null,
    ]);
  });
});

describe('bad and hostile requests', () => {
  it.each([
    ['an unknown tier', { task: 'summarise', tier: 'orbit', label: 'PUBLIC' }, 'unknown-tier', 'tier', 'tier: "orbit" (string) is not a deployment tier; use one of disconnected-edge, internal-datacenter, connected.'],
    ['a tier given as a number', { task: 'summarise', tier: 1, label: 'PUBLIC' }, 'unknown-tier', 'tier', 'tier: 1 (number) is not a deployment tier; use one of disconnected-edge, internal-datacenter, connected.'],
    ['a label not in the lattice', { task: 'summarise', tier: 'connected', label: 'SECRET' }, 'unknown-label', 'label', 'label: "SECRET" (string) is not a label of the lattice; use PUBLIC, INTERNAL or RESTRICTED (upper case).'],
    ['a missing label', { task: 'summarise', tier: 'connected' }, 'unknown-label', 'label', 'label: undefined is not a label of the lattice; use PUBLIC, INTERNAL or RESTRICTED (upper case).'],
    ['a NaN task', { task: Number.NaN, tier: 'connected', label: 'PUBLIC' }, 'invalid-request', 'task', 'task: must be a task kind of 1-63 lower case letters, digits or "-", got NaN.'],
    ['an unknown field', { task: 'summarise', tier: 'connected', label: 'PUBLIC', priority: 'high' }, 'invalid-request', 'priority', 'priority: is not a field of a route request (task, tier, label).'],
    ['null', null, 'invalid-request', 'request', 'request: must be a plain object, got null.'],
    ['a list', ['summarise', 'connected', 'PUBLIC'], 'invalid-request', 'request', 'request: must be a plain object, got a list.'],
    ['a class instance', new (class Request { task = 'summarise'; tier = 'connected'; label = 'PUBLIC'; })(), 'invalid-request', 'request', 'request: is a class instance; pass a plain object.'],
  ])('refuses %s with a typed reason naming the field', (_case, request, reason, field, explanation) => {
    const decision = router.route(request);
    expect(decision).toMatchObject({ decision: 'refused', request: null, reason, field, explanation });
  });

  it('throws the typed error from parseRouteRequest, with the field', () => {
    expect(() => parseRouteRequest({ task: 'summarise', tier: 'orbit', label: 'PUBLIC' })).toThrow(UnknownTier);
    expect(() => parseRouteRequest({ task: 'summarise', tier: 'connected', label: 'public' })).toThrow(UnknownLabel);
    const thrown = ((): unknown => {
      try {
        parseRouteRequest({ task: '', tier: 'connected', label: 'PUBLIC' });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(InvalidRouteRequest);
    expect((thrown as InvalidRouteRequest).field).toBe('task');
  });

  it('refuses a request with a getter without calling it, so the label cannot change between check and use', () => {
    let reads = 0;
    const request = { task: 'summarise', tier: 'connected' };
    Object.defineProperty(request, 'label', { enumerable: true, get: () => (reads++ === 0 ? 'PUBLIC' : 'RESTRICTED') });
    expect(router.route(request)).toMatchObject({ decision: 'refused', reason: 'invalid-request', field: 'request', explanation: 'request: has an accessor (getter or setter) at "label"; pass plain data.' });
    expect(reads).toBe(0);
  });

  it('refuses a Proxy, a revoked Proxy and a Proxy in the health report without running a trap', () => {
    let trapped = false;
    const handler: ProxyHandler<object> = { get: () => { trapped = true; return 'PUBLIC'; }, ownKeys: () => { trapped = true; return []; }, getPrototypeOf: () => { trapped = true; return null; } };
    const proxy = new Proxy({ task: 'summarise', tier: 'connected', label: 'PUBLIC' }, handler);
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(router.route(proxy)).toMatchObject({ reason: 'invalid-request', field: 'request' });
    expect(router.route(revoked)).toMatchObject({ reason: 'invalid-request', field: 'request' });
    expect(router.route({ task: 'summarise', tier: 'connected', label: 'PUBLIC' }, new Proxy({ unavailable: [] }, handler))).toMatchObject({ reason: 'invalid-request', field: 'health' });
    expect(router.route({ task: 'summarise', tier: 'connected', label: 'PUBLIC' }, { unavailable: new Proxy([], handler) })).toMatchObject({ reason: 'invalid-request', field: 'health.unavailable' });
    expect(trapped).toBe(false);
  });

  it('refuses a health report that is not a list of ids', () => {
    const request = { task: 'summarise', tier: 'connected', label: 'PUBLIC' };
    expect(router.route(request, { unavailable: 'hosted-large' })).toMatchObject({ reason: 'invalid-request', field: 'health.unavailable' });
    expect(router.route(request, { unavailable: [42] })).toMatchObject({ reason: 'invalid-request', field: 'health.unavailable[0]' });
    expect(router.route(request, { down: [] })).toMatchObject({ reason: 'invalid-request', field: 'health.down' });
  });
});

describe('health snapshots', () => {
  it('reads a health report once into a frozen snapshot that decides as the report does', () => {
    const report = { unavailable: ['edge-gpu-8b'] };
    const snapshot = routeHealth(report);
    expect(snapshot).toEqual(report);
    expect(Object.isFrozen(snapshot) && Object.isFrozen(snapshot.unavailable)).toBe(true);
    report.unavailable.push('edge-cpu-3b');
    const request = { task: 'summarise', tier: 'disconnected-edge', label: 'RESTRICTED' };
    expect(outcome(router.route(request, snapshot))).toBe('edge-cpu-3b (fallback)');
    expect(outcome(router.route(request, report))).toBe('refused no-endpoint-available by endpoint-available');
  });

  it('refuses a health report it cannot read, naming the field', () => {
    expect(() => routeHealth({ unavailable: [1] })).toThrow(new InvalidRouteRequest('health.unavailable[0]', 'must be an endpoint id, got the number 1'));
  });
});

describe('decisions as records', () => {
  it('are plain JSON data that survive a round trip and canonical encoding', () => {
    const decisions = [router.route({ task: 'draft', tier: 'connected', label: 'INTERNAL' }), router.route({ task: 'x', tier: 'nowhere', label: 'PUBLIC' })];
    for (const decision of decisions) {
      expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
      expect(() => canonicalJson(decision)).not.toThrow();
    }
  });

  it('have an id that is the same for the same decision and differs when anything in it differs', () => {
    const request = { task: 'summarise', tier: 'disconnected-edge', label: 'RESTRICTED' };
    const id = routingDecisionId(router.route(request));
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(routingDecisionId(router.route({ ...request }))).toBe(id);
    expect(routingDecisionId(router.route(request, { unavailable: ['edge-gpu-8b'] }))).not.toBe(id);
    expect(routingDecisionId(router.route({ ...request, label: 'INTERNAL' }))).not.toBe(id);
  });

  it('are stamped with a validated clock when wrapped for the audit trail', () => {
    const decision = router.route({ task: 'summarise', tier: 'disconnected-edge', label: 'RESTRICTED' });
    const record = toRoutingRecord(decision, new ManualClock(Date.UTC(2025, 0, 15, 9, 30)));
    expect(record).toEqual({ decisionId: routingDecisionId(decision), decidedAt: '2025-01-15T09:30:00.000Z', decision });
    expect(() => toRoutingRecord(decision, { now: () => Number.NaN })).toThrow(ClockReadingInvalid);
  });
});
