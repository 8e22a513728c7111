import { readFileSync, readdirSync } from 'node:fs';
import { InvalidOptionError } from '@12-factor-agentops/core';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_RULES, checkAgentDeployment, imageRegistryHost, loadAgent, parseAgentDeployment, validateAgentDeployment } from '../src/index.ts';
import type { AgentDeploymentResource } from '../src/index.ts';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const AGENTS = [loadAgent(read('examples/agent.yaml'), 'examples/agent.yaml'), loadAgent(read('test/fixtures/agent-edge-summariser.yaml'), 'agent-edge-summariser.yaml')];
const EXAMPLES = ['agentdeployment-disconnected-edge.yaml', 'agentdeployment-internal-datacenter.yaml', 'agentdeployment-connected.yaml'];
const FIXTURES = new URL('fixtures/violations/', import.meta.url);

describe('validating deployments against their profiles', () => {
  it.each(EXAMPLES)('accepts the example %s, checked against its Agent', (file) => {
    const verdict = validateAgentDeployment(read(`examples/${file}`), file, { agents: AGENTS });
    expect(verdict.violations).toEqual([]);
    expect(verdict.accepted).toBe(true);
  });

  it('shows the memory arithmetic of an accepted self-hosted deployment', () => {
    const verdict = validateAgentDeployment(read('examples/agentdeployment-disconnected-edge.yaml'), 'edge.yaml');
    // 8,030,261,248 × 8.5 / 8 and 2 × 32 × 8 × 128 × 2 bytes × 8,192 tokens × 4 sequences, against (48 − 4) GB.
    expect(verdict.memory).toEqual({
      weightsBytes: 8_532_152_576,
      kvBytesPerToken: 131_072,
      kvCacheBytes: 4_294_967_296,
      totalBytes: 12_827_119_872,
      availableBytes: 44_000_000_000,
      fits: true,
    });
  });

  it('has exactly one failing fixture per rule', () => {
    const fixtures = readdirSync(FIXTURES).map((file) => file.replace(/\.yaml$/, '')).sort();
    expect(fixtures).toEqual(DEPLOYMENT_RULES.map((rule) => rule.id).sort());
  });

  it.each(DEPLOYMENT_RULES.map((rule) => [rule.id, rule.field] as const))('refuses the %s fixture with that rule alone, naming %s and its line', (rule) => {
    const text = readFileSync(new URL(`${rule}.yaml`, FIXTURES), 'utf8');
    const markedLine = text.split('\n').findIndex((line) => line.endsWith(`# <- ${rule}`)) + 1;
    expect(markedLine).toBeGreaterThan(0);
    const verdict = validateAgentDeployment(text, `${rule}.yaml`, rule.startsWith('agent-') ? { agents: AGENTS } : {});
    expect(verdict.accepted).toBe(false);
    expect(verdict.violations.map((violation) => violation.rule)).toEqual([rule]);
    const [violation] = verdict.violations;
    expect(violation?.line).toBe(markedLine);
    expect(violation?.field).toBe(FIELDS[rule]);
  });

  it('refuses the example written as if the edge were connected, once per broken rule', () => {
    const verdict = validateAgentDeployment(read('examples/refused/agentdeployment-edge-refused.yaml'), 'refused.yaml', { agents: AGENTS });
    expect(verdict.accepted).toBe(false);
    expect(verdict.violations.map((violation) => `${violation.rule} ${violation.field}:${violation.line}`)).toEqual([
      'image-digest spec.image:14',
      'registry-host-public spec.image:14',
      'network-egress spec.network.egress:18',
      'model-fits-memory spec.hardware.memoryGB:21',
      'telemetry-destination spec.telemetry.destinations[1].kind:37',
      'update-channel spec.updates.channel:40',
      'agent-image-digest spec.image:14',
    ]);
    expect(verdict.violations[3]?.message).toBe(
      'llama-3.1-70b-instruct needs 143.79 GB: weights 141.11 GB (70,553,706,496 parameters × fp16) + KV cache 2.68 GB (327,680 bytes/token × 8,192 tokens × 1 sequence), more than the 48 GB available (48 GB − 0 GB reserved); use a smaller weight format, a shorter context, fewer sequences or more memory',
    );
  });

  it('accepts a model that fills the memory to the byte and refuses one byte more', () => {
    // 8e9 parameters at fp8 = 8 GB of weights; 2 × 1 layer × 1 head × 125 dims × 2 bytes × 2,000,000 tokens = 1 GB of cache.
    const exact = withModel({ parameters: 8_000_000_000, weightFormat: 'fp8', architecture: { layers: 1, kvHeads: 1, headDim: 125 }, contextTokens: 2_000_000, concurrentSequences: 1, kvCacheBits: 16 }, 9);
    expect(checkAgentDeployment(exact, 'exact').memory).toMatchObject({ totalBytes: 9_000_000_000, availableBytes: 9_000_000_000, fits: true });
    const over = withModel({ ...exact.spec.model, parameters: 8_000_000_001 }, 9);
    const verdict = checkAgentDeployment(over, 'over');
    expect(verdict.violations.map((violation) => violation.rule)).toEqual(['model-fits-memory']);
    expect(verdict.violations[0]?.line).toBe(0);
  });

  it('counts reserved memory as unavailable, and reserving all of it leaves nothing', () => {
    const base = parseAgentDeployment(read('examples/agentdeployment-disconnected-edge.yaml'), 'edge.yaml').resource;
    const reservedAll: AgentDeploymentResource = { ...base, spec: { ...base.spec, hardware: { accelerators: 1, memoryGB: 48, reservedGB: 60 } } };
    expect(checkAgentDeployment(reservedAll, 'edge').memory).toMatchObject({ availableBytes: 0, fits: false });
  });

  it('does not check the memory of a hosted model, whose hardware is not the site’s', () => {
    const verdict = validateAgentDeployment(read('examples/agentdeployment-connected.yaml'), 'connected.yaml');
    expect(verdict.memory).toBeUndefined();
    expect(verdict.accepted).toBe(true);
  });

  it('treats an image without a registry host as Docker Hub, a registry on the internet', () => {
    expect(imageRegistryHost('report-drafter@sha256:00')).toBe('docker.io');
    expect(imageRegistryHost('example-org/report-drafter:1.4.0')).toBe('docker.io');
    expect(imageRegistryHost('localhost:5000/agents/x@sha256:00')).toBe('localhost:5000');
    expect(imageRegistryHost('Registry.Edge.example/agents/x')).toBe('registry.edge.example');
    const text = read('examples/agentdeployment-disconnected-edge.yaml').replace('registry.edge.example/agents/report-drafter@', 'report-drafter@');
    expect(validateAgentDeployment(text, 'edge.yaml').violations.map((violation) => violation.rule)).toEqual(['registry-host-public']);
  });

  it('reports a serving/endpoint pair that contradicts itself', () => {
    const text = read('examples/agentdeployment-connected.yaml').replace('    serving: hosted-api', '    serving: vllm');
    const [violation] = validateAgentDeployment(text, 'connected.yaml').violations;
    expect(violation).toMatchObject({ rule: 'serving-software', field: 'spec.model.serving' });
    expect(violation?.message).toContain('serving "vllm" contradicts endpoint "hosted-api"');
  });

  it('refuses text that is not a string with the one option error', () => {
    expect(() => validateAgentDeployment(42 as unknown as string, 'x.yaml')).toThrow(InvalidOptionError);
  });
});

// The field each fixture's violation names: a fixed expectation, not read back from the code.
const FIELDS: Record<string, string> = {
  'image-digest': 'spec.image',
  'registry-allowed': 'spec.registry',
  'registry-host-public': 'spec.image',
  'network-egress': 'spec.network.egress',
  'endpoint-kind': 'spec.model.endpoint',
  'serving-software': 'spec.model.serving',
  'model-figures': 'spec.model.weightFormat',
  'model-fits-memory': 'spec.hardware.memoryGB',
  'accelerator-count': 'spec.hardware.accelerators',
  'telemetry-destination': 'spec.telemetry.destinations[1].kind',
  'update-channel': 'spec.updates.channel',
  'data-clearance': 'spec.dataClearance',
  'agent-exists': 'spec.agentRef.name',
  'agent-image-digest': 'spec.image',
  'agent-tier': 'spec.profile',
  'agent-data-labels': 'spec.dataClearance',
  'agent-context': 'spec.model.contextTokens',
};

function withModel(model: AgentDeploymentResource['spec']['model'] | Omit<AgentDeploymentResource['spec']['model'], 'name' | 'endpoint' | 'serving'>, memoryGB: number): AgentDeploymentResource {
  const base = parseAgentDeployment(read('examples/agentdeployment-disconnected-edge.yaml'), 'edge.yaml').resource;
  return { ...base, spec: { ...base.spec, hardware: { accelerators: 1, memoryGB, reservedGB: 0 }, model: { ...base.spec.model, ...model } } };
}
