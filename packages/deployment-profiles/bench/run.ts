// Benchmarks of deployment-profiles: `pnpm --filter @12-factor-agentops/deployment-profiles bench`.
// Each figure is printed as `name: value unit (median of N runs)`. Measures; the only check
// is that the routers agree before they are timed.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { LABELS, LinearScanRouter, ModelRouter, TIER_IDS, agentDeploymentCustomResourceSchema, profileFor, routeHealth, validateAgentDeployment } from '../src/index.ts';
import type { CatalogueEndpoint, Label, TierId } from '../src/index.ts';
import { seededRandom } from '@12-factor-agentops/core';

const RUNS = 7;
const ENDPOINTS = 1000;
const REQUESTS = 5000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function report(name: string, values: number[], unit: string): void {
  console.log(`${name}: ${median(values).toLocaleString('en-US', { maximumFractionDigits: 0 })} ${unit} (median of ${values.length} runs)`);
}

function perSecond(count: number, work: () => void): number {
  const started = performance.now();
  work();
  return count / ((performance.now() - started) / 1000);
}


const next = seededRandom(12);
const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
const TASKS = Array.from({ length: 20 }, (_, index) => `task-${index}`);

const endpoints: CatalogueEndpoint[] = Array.from({ length: ENDPOINTS }, (_, index) => {
  const tier = pick(TIER_IDS);
  const profile = profileFor(tier);
  const ceiling = LABELS.indexOf(profile.clearanceCeiling);
  const tasks = [...new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(TASKS)))];
  return { id: `endpoint-${index}`, tier, kind: pick(profile.endpointKinds), clearance: LABELS[Math.floor(next() * (ceiling + 1))] as Label, tasks, model: `model-${index % 17}` };
});
const requests = Array.from({ length: REQUESTS }, () => ({ task: pick([...TASKS, 'unserved']), tier: pick(TIER_IDS) as TierId, label: pick(LABELS) }));
// A few endpoints are down, so some decisions fall back; the report is read once (`routeHealth`).
const health = routeHealth({ unavailable: endpoints.filter(() => next() < 0.05).map((endpoint) => endpoint.id) });

const indexed = new ModelRouter({ endpoints });
const linear = new LinearScanRouter({ endpoints });
for (const request of requests) {
  if (!isDeepStrictEqual(indexed.route(request, health), linear.route(request, health))) throw new Error(`the routers disagree on ${JSON.stringify(request)}`);
}

// The least a scan can do: walk the catalogue and return the first id that passes, no counts, no explanation.
const down = new Set(health.unavailable);
function bareScan(request: { task: string; tier: TierId; label: Label }): string | undefined {
  const profile = profileFor(request.tier);
  if (LABELS.indexOf(profile.clearanceCeiling) < LABELS.indexOf(request.label)) return undefined;
  for (const tier of profile.reaches) {
    for (const endpoint of endpoints) {
      if (endpoint.tier === tier && endpoint.tasks.includes(request.task) && LABELS.indexOf(endpoint.clearance) >= LABELS.indexOf(request.label) && !down.has(endpoint.id)) return endpoint.id;
    }
  }
  return undefined;
}

const routed = { indexed: [] as number[], linear: [] as number[], bare: [] as number[] };
let sink = 0;
for (let run = 0; run < RUNS; run++) {
  routed.indexed.push(perSecond(REQUESTS, () => { for (const request of requests) sink += indexed.route(request, health).decision.length; }));
  routed.linear.push(perSecond(REQUESTS, () => { for (const request of requests) sink += linear.route(request, health).decision.length; }));
  routed.bare.push(perSecond(REQUESTS, () => { for (const request of requests) sink += bareScan(request)?.length ?? 0; }));
}
console.log(`catalogue: ${ENDPOINTS.toLocaleString('en-US')} endpoints, ${TASKS.length} task kinds, ${health.unavailable.length} down; ${REQUESTS.toLocaleString('en-US')} requests per run`);
report('routing decisions/s, ModelRouter (indexed, full decision with explanation)', routed.indexed, 'decisions/s');
report('routing decisions/s, LinearScanRouter (scans the catalogue, same decision)', routed.linear, 'decisions/s');
report('routing decisions/s, bare linear scan (first id only, no decision object)', routed.bare, 'decisions/s');
console.log(`ModelRouter / LinearScanRouter: ${(median(routed.indexed) / median(routed.linear)).toFixed(1)}x; ModelRouter / bare scan: ${(median(routed.indexed) / median(routed.bare)).toFixed(1)}x`);

const EDGE = readFileSync(new URL('../examples/agentdeployment-disconnected-edge.yaml', import.meta.url), 'utf8');
const VALIDATIONS = 2000;
const plainAjv = new Ajv({ allErrors: true, strict: false }).compile(agentDeploymentCustomResourceSchema().openAPIV3Schema);
const parsed: unknown = parseDocument(EDGE).toJS();
const validated = { full: [] as number[], yamlAjv: [] as number[], ajv: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  validated.full.push(perSecond(VALIDATIONS, () => { for (let i = 0; i < VALIDATIONS; i++) sink += validateAgentDeployment(EDGE, 'edge.yaml').violations.length; }));
  validated.yamlAjv.push(perSecond(VALIDATIONS, () => { for (let i = 0; i < VALIDATIONS; i++) sink += plainAjv(parseDocument(EDGE).toJS()) ? 1 : 0; }));
  validated.ajv.push(perSecond(VALIDATIONS, () => { for (let i = 0; i < VALIDATIONS; i++) sink += plainAjv(parsed) ? 1 : 0; }));
}
report('deployment files/s, validateAgentDeployment (YAML with lines, CRD schema, profile rules)', validated.full, 'files/s');
report('deployment files/s, YAML parse + Ajv alone on the same schema', validated.yamlAjv, 'files/s');
report('deployment objects/s, Ajv alone on an already parsed object', validated.ajv, 'objects/s');
console.log(`validateAgentDeployment / (YAML + Ajv): ${(median(validated.full) / median(validated.yamlAjv)).toFixed(2)}x`);
if (sink === Number.MIN_SAFE_INTEGER) console.log(sink);
