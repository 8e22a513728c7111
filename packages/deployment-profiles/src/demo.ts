// `pnpm --filter @12-factor-agentops/deployment-profiles demo`: the three profiles, three
// deployments validated against them, one refused with its reasons, and a table of routing
// decisions, refusals included.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@12-factor-agentops/core';
import {
  ModelRouter,
  ResourceFileInvalid,
  deploymentProfiles,
  fitTable,
  joinLabels,
  loadAgent,
  profileTable,
  renderMarkdownTable,
  toReconcilerSpec,
  toRoutingRecord,
  validateAgentDeployment,
  parseAgentDeployment,
} from './index.ts';
import type { RouteDecision } from './index.ts';

const example = (name: string): string => readFileSync(fileURLToPath(new URL(`../examples/${name}`, import.meta.url)), 'utf8');
const heading = (text: string): void => console.log(`\n== ${text}\n`);

heading('1. The three profiles (src/deployment-profiles.json, checked against its JSON Schema)');
console.log(renderMarkdownTable(profileTable()));
for (const profile of deploymentProfiles().profiles) {
  const reference = profile.hardware.reference;
  if (reference !== null) console.log(`  ${profile.id}: reference hardware ${reference.count} × ${reference.memoryGBEach} GB (${reference.sources.join(', ')})`);
}

heading('2. What fits: weights = parameters × bits per weight / 8; KV cache = 2 × layers × kv heads × head dim × 2 bytes × tokens');
console.log(renderMarkdownTable(fitTable({ contextTokens: 8192, concurrentSequences: 1 })));

heading('3. Three deployments, one per tier, checked against their profiles and the Agent they deploy');
const agent = loadAgent(example('agent.yaml'), 'examples/agent.yaml');
console.log(`Agent ${agent.metadata.name}: tasks ${agent.spec.taskKinds.join(', ')}; tiers ${agent.spec.tiers.join(', ')}; labels ${agent.spec.dataLabels.join(', ')}`);
for (const file of ['agentdeployment-disconnected-edge.yaml', 'agentdeployment-internal-datacenter.yaml', 'agentdeployment-connected.yaml']) {
  const verdict = validateAgentDeployment(example(file), `examples/${file}`, { agents: [agent] });
  const memory = verdict.memory === undefined ? 'hosted model, no local memory to check' : `needs ${gb(verdict.memory.totalBytes)} of ${gb(verdict.memory.availableBytes)} available`;
  console.log(`${verdict.accepted ? 'ACCEPTED' : 'REFUSED '} ${verdict.name} (${verdict.profile}): ${memory}`);
}
const { resource } = parseAgentDeployment(example('agentdeployment-internal-datacenter.yaml'), 'examples/agentdeployment-internal-datacenter.yaml');
console.log(`The reconciler of Factor XI receives ${JSON.stringify(toReconcilerSpec(resource))}`);

heading('4. A deployment written as if the edge were connected: refused, one reason per broken rule');
const refused = validateAgentDeployment(example('refused/agentdeployment-edge-refused.yaml'), 'examples/refused/agentdeployment-edge-refused.yaml', { agents: [agent] });
console.log(`${refused.accepted ? 'ACCEPTED' : 'REFUSED'} ${refused.name} (${refused.profile}), ${refused.violations.length} violations:`);
for (const violation of refused.violations) console.log(`  line ${violation.line} ${violation.field} [${violation.rule}]: ${violation.message}`);

heading('5. A file that is not an AgentDeployment at all: a typed error with line and field');
try {
  validateAgentDeployment('apiVersion: agentops.example.org/v1alpha1\nkind: AgentDeployment\nmetadata:\n  name: half-written\nspec:\n  profile: orbit\n  replicas: two\n', 'half-written.yaml');
} catch (error) {
  if (!(error instanceof ResourceFileInvalid)) throw error;
  console.log(`${error.name}: ${error.message}`);
}

heading('6. Routing: task, caller tier and data label → endpoint, or a typed refusal (examples/endpoint-catalogue.json)');
const router = new ModelRouter(JSON.parse(example('endpoint-catalogue.json')));
const cases: { request: Record<string, unknown>; down?: string[] }[] = [
  { request: { task: 'summarise', tier: 'disconnected-edge', label: 'RESTRICTED' } },
  { request: { task: 'summarise', tier: 'disconnected-edge', label: 'RESTRICTED' }, down: ['edge-gpu-8b'] },
  { request: { task: 'draft', tier: 'disconnected-edge', label: 'RESTRICTED' }, down: ['edge-gpu-8b'] },
  { request: { task: 'translate', tier: 'disconnected-edge', label: 'PUBLIC' } },
  { request: { task: 'code-review', tier: 'internal-datacenter', label: 'RESTRICTED' } },
  { request: { task: 'classify', tier: 'internal-datacenter', label: 'RESTRICTED' }, down: ['dc-vllm-70b'] },
  { request: { task: 'classify', tier: 'internal-datacenter', label: 'INTERNAL' }, down: ['dc-vllm-70b'] },
  { request: { task: 'draft', tier: 'connected', label: 'PUBLIC' } },
  { request: { task: 'draft', tier: 'connected', label: 'INTERNAL' } },
  { request: { task: 'code-review', tier: 'connected', label: 'INTERNAL' } },
  { request: { task: 'caption', tier: 'connected', label: 'INTERNAL' } },
  { request: { task: 'plan-route', tier: 'internal-datacenter', label: 'PUBLIC' } },
  { request: { task: 'summarise', tier: 'connected', label: 'RESTRICTED' } },
  { request: { task: 'Summarise!', tier: 'connected', label: 'PUBLIC' } },
  { request: { task: 'summarise', tier: 'orbit', label: 'PUBLIC' } },
  { request: { task: 'summarise', tier: 'connected', label: 'SECRET' } },
];
const rows = cases.map(({ request, down }) => {
  const decision = router.route(request, down === undefined ? undefined : { unavailable: down });
  return [String(request['task']), String(request['tier']), String(request['label']), down?.join(', ') ?? '', outcome(decision), decision.rule];
});
console.log(renderMarkdownTable({ columns: ['Task', 'Caller tier', 'Label', 'Down', 'Decision', 'Deciding rule'], rows }));

heading('7. A chain cannot write down: a response carries its input\'s label into the next call');
const first = router.route({ task: 'summarise', tier: 'internal-datacenter', label: 'RESTRICTED' });
console.log(`summarise RESTRICTED in the datacenter: ${outcome(first)}; output label ${first.decision === 'routed' ? first.outputLabel : '-'}`);
if (first.decision === 'routed') {
  const label = joinLabels([first.outputLabel, 'PUBLIC']);
  const second = router.route({ task: 'draft', tier: 'connected', label });
  console.log(`draft from the connected tier using that summary plus PUBLIC notes (label ${label}): ${outcome(second)}`);
  console.log(`  ${second.explanation}`);
}

heading('8. Every decision is plain data with a stable id, ready for the audit trail');
const record = toRoutingRecord(router.route({ task: 'summarise', tier: 'disconnected-edge', label: 'RESTRICTED' }, { unavailable: ['edge-gpu-8b'] }), new ManualClock(Date.UTC(2025, 0, 15, 9, 30)));
console.log(JSON.stringify(record, null, 2));

function outcome(decision: RouteDecision): string {
  if (decision.decision === 'routed') return `→ ${decision.endpoint.id}${decision.fallback ? ` (fallback past ${decision.skippedUnavailable.join(', ')})` : ''}`;
  return `refused: ${decision.reason}${decision.field === null ? '' : ` (${decision.field})`}`;
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
