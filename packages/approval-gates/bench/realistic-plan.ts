import type { PlanData } from '../src/index.ts';

// A small deterministic generator (xorshift32): the same seed always yields the same plan,
// so benchmark runs on different machines hash identical bytes.
function randomSource(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

function choose<T>(items: readonly T[], pick: () => number): T {
  const item = items[Math.floor(pick() * items.length)];
  if (item === undefined) throw new RangeError('choose() needs a non-empty list');
  return item;
}

const SERVICES = ['checkout-api', 'inventory-worker', 'search-gateway', 'billing-exporter', 'session-cache', 'notification-relay'];
const NAMESPACES = ['shop', 'platform', 'data'];

type StepBuilder = (service: string, namespace: string, pick: () => number) => {
  tool: string;
  arguments: PlanData;
  rollback: string;
};

const TOOLS: readonly StepBuilder[] = [
  (service, namespace, pick) => ({
    tool: 'kubectl.apply',
    arguments: {
      manifest: `manifests/${namespace}/${service}/deployment.yaml`,
      image: `registry.example.org/${namespace}/${service}:1.${Math.floor(pick() * 40)}.${Math.floor(pick() * 10)}`,
      replicas: 2 + Math.floor(pick() * 6),
      resources: { cpu: `${250 + Math.floor(pick() * 4) * 250}m`, memory: `${256 * (1 + Math.floor(pick() * 4))}Mi` },
      serverSide: true,
    },
    rollback: `Re-apply the previous manifest revision of ${service}; the old image tag is kept in the registry.`,
  }),
  (service, namespace, pick) => ({
    tool: 'kubectl.rollout-status',
    arguments: { resource: `deployment/${service}`, namespace, timeoutSeconds: 120 + Math.floor(pick() * 4) * 60 },
    rollback: 'Read-only step; nothing to undo.',
  }),
  (service, _namespace, pick) => ({
    tool: 'http.probe',
    arguments: {
      url: `https://${service}.example.org/healthz`,
      expectStatus: 200,
      attempts: 3 + Math.floor(pick() * 3),
      latencyBudgetMs: 150 + Math.floor(pick() * 8) * 50,
    },
    rollback: 'Read-only step; a failed probe stops the plan before the next change.',
  }),
  (service, namespace, pick) => ({
    tool: 'sql.migrate',
    arguments: {
      database: `${namespace}_${service.replace(/-/g, '_')}`,
      migration: `V${100 + Math.floor(pick() * 900)}__add_index_on_created_at.sql`,
      lockTimeoutMs: 5000,
      transactional: pick() < 0.8,
    },
    rollback: 'Run the paired down-migration; it drops only the new index and keeps all rows.',
  }),
  (service, _namespace, pick) => ({
    tool: 'feature-flag.set',
    arguments: { flag: `${service}.new-pricing-path`, percent: choose([1, 5, 25, 50, 100], pick), audience: ['internal', 'beta'] },
    rollback: 'Set the flag back to 0 percent; requests return to the old path at once.',
  }),
  (service, namespace, pick) => ({
    tool: 'kubectl.scale',
    arguments: { resource: `deployment/${service}`, namespace, replicas: 3 + Math.floor(pick() * 9) },
    rollback: 'Scale back to the replica count recorded in the step before.',
  }),
  (service, _namespace, pick) => ({
    tool: 'cache.purge',
    arguments: { keys: [`${service}:catalog:*`, `${service}:prices:*`], region: choose(['eu-west', 'us-east'], pick) },
    rollback: 'Not reversible; the cache refills from the source of truth within minutes.',
  }),
  (service, _namespace, pick) => ({
    tool: 'ticket.comment',
    arguments: { ticket: `CHG-${1000 + Math.floor(pick() * 9000)}`, text: `Step for ${service} finished; see the gate's audit trail for approvals.` },
    rollback: 'Comments are append-only; post a correction if needed.',
  }),
];

/**
 * A change plan like one an operations agent would propose: `steps` steps (default 40), each
 * with a tool, its arguments, a target and a rollback note. Deterministic for a given `seed`.
 */
export function buildRealisticPlan(steps = 40, seed = 2024): PlanData {
  const pick = randomSource(seed);
  const planSteps: PlanData[] = [];
  for (let index = 0; index < steps; index += 1) {
    const service = choose(SERVICES, pick);
    const namespace = choose(NAMESPACES, pick);
    const step = choose(TOOLS, pick)(service, namespace, pick);
    planSteps.push({
      id: `step-${String(index + 1).padStart(2, '0')}`,
      tool: step.tool,
      target: { kind: 'Deployment', namespace, name: service, cluster: 'cluster-a' },
      arguments: step.arguments,
      expect: { exitCode: 0, maxDurationSeconds: 60 + Math.floor(pick() * 10) * 30 },
      rollback: { note: step.rollback, automatic: pick() < 0.5 },
      dependsOn: index === 0 ? [] : [`step-${String(index).padStart(2, '0')}`],
    });
  }
  return {
    apiVersion: 'agentops.example.org/v1',
    kind: 'ChangePlan',
    metadata: { name: 'pricing-path-rollout', namespace: 'platform', labels: { team: 'storefront', risk: 'medium' } },
    goal: 'Roll out the new pricing path behind a flag, migrate its index, and scale the services that serve it.',
    window: { start: '2025-03-04T22:00:00Z', end: '2025-03-05T02:00:00Z' },
    steps: planSteps,
  };
}
