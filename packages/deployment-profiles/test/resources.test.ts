import { readFileSync } from 'node:fs';
import { InvalidOptionError } from '@12-factor-agentops/core';
import { validateAgentSpec } from '@12-factor-agentops/reconciler';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  AGENT_CRD_PATH,
  AGENT_DEPLOYMENT_CRD_PATH,
  DEFAULT_CONCURRENT_SEQUENCES,
  DEFAULT_KV_CACHE_BITS,
  DEFAULT_RESERVED_GB,
  LABELS,
  ResourceFileInvalid,
  TIER_IDS,
  WEIGHT_FORMATS,
  agentDeploymentCustomResourceSchema,
  deploymentProfiles,
  loadAgent,
  parseAgentDeployment,
  toReconcilerSpec,
} from '../src/index.ts';
import type { ResourceIssue } from '../src/index.ts';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const EDGE = read('examples/agentdeployment-disconnected-edge.yaml');

function refusal(yamlText: string, options: { maxAliases?: number } = {}): ResourceFileInvalid {
  try {
    parseAgentDeployment(yamlText, 'bad.yaml', options);
  } catch (error) {
    expect(error).toBeInstanceOf(ResourceFileInvalid);
    return error as ResourceFileInvalid;
  }
  throw new Error('expected the file to be refused');
}

function edit(from: string, to: string): string {
  expect(EDGE).toContain(from);
  return EDGE.replace(from, to);
}

const issue = (kind: ResourceIssue['kind'], line: number, path: string, message: string): ResourceIssue => ({ kind, line, path, message });

describe('the Agent and AgentDeployment custom resources', () => {
  it('loads every example, the refused one included (its CRD accepts it; its profile does not)', () => {
    expect(loadAgent(read('examples/agent.yaml'), 'agent.yaml').spec.taskKinds).toEqual(['summarise', 'draft']);
    for (const file of ['agentdeployment-disconnected-edge.yaml', 'agentdeployment-internal-datacenter.yaml', 'agentdeployment-connected.yaml', 'refused/agentdeployment-edge-refused.yaml']) {
      expect(parseAgentDeployment(read(`examples/${file}`), file).resource.kind).toBe('AgentDeployment');
    }
  });

  it('fills in the CRD defaults, which equal the package’s named defaults', () => {
    const { resource } = parseAgentDeployment(
      edit('  replicas: 1\n  tools:\n    - document-search\n', '').replace('    reservedGB: 4 # the site\'s allowance for llama.cpp\'s own buffers\n', '').replace('    concurrentSequences: 4\n', ''),
      'edge.yaml',
    );
    expect(resource.spec.replicas).toBe(1);
    expect(resource.spec.tools).toEqual([]);
    expect(resource.spec.hardware?.reservedGB).toBe(DEFAULT_RESERVED_GB);
    expect(resource.spec.model.concurrentSequences).toBe(DEFAULT_CONCURRENT_SEQUENCES);
    expect(resource.spec.model.kvCacheBits).toBe(DEFAULT_KV_CACHE_BITS);
  });

  it.each([
    ['a missing field', edit('  registry: site-local\n', ''), issue('schema', 8, 'spec.registry', 'is required')],
    ['a wrong type', edit('  replicas: 1', '  replicas: one'), issue('schema', 13, 'spec.replicas', 'must be integer (got "one")')],
    ['an unknown profile', edit('  profile: disconnected-edge', '  profile: orbit'), issue('schema', 11, 'spec.profile', 'must be one of "disconnected-edge", "internal-datacenter", "connected" (got "orbit")')],
    ['a label not in the lattice', edit('  dataClearance: RESTRICTED', '  dataClearance: SECRET'), issue('schema', 18, 'spec.dataClearance', 'must be one of "PUBLIC", "INTERNAL", "RESTRICTED" (got "SECRET")')],
    ['a misspelt field', edit('    egress: none', '    egres: none'), issue('schema', 20, 'spec.network.egres', 'is not a field of this schema (misspelt, or in the wrong place)')],
    ['a tool listed twice', edit('    - document-search\n', '    - document-search\n    - document-search\n'), issue('schema', 14, 'spec.tools', 'must NOT have duplicate items (items ## 1 and 0 are identical)')],
    ['a model with no context', edit('    contextTokens: 8192\n', ''), issue('schema', 25, 'spec.model.contextTokens', 'is required')],
    ['the wrong kind', edit('kind: AgentDeployment', 'kind: Deployment'), issue('schema', 4, 'kind', 'must be "AgentDeployment" (got "Deployment")')],
    ['the wrong apiVersion', edit('agentops.example.org/v1alpha1', 'agentops.example.org/v1'), issue('schema', 3, 'apiVersion', 'must be "agentops.example.org/v1alpha1" (got "agentops.example.org/v1")')],
    ['a name that is not a DNS name', edit('name: report-drafter-edge', 'name: Report_Drafter'), issue('schema', 6, 'metadata.name', 'must be a DNS subdomain name: lower case letters, digits, "-" and "." (got "Report_Drafter")')],
    ['broken YAML', edit('    channel: transfer-media', '    channel: [transfer-media'), issue('yaml-syntax', 43, '', 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]')],
    ['a duplicate key', edit('  replicas: 1\n', '  replicas: 1\n  replicas: 2\n'), issue('yaml-syntax', 14, '', 'YAML syntax error: Map keys must be unique')],
    ['two documents in one file', `${EDGE}---\n${EDGE}`, issue('yaml-syntax', 43, '', 'YAML syntax error: Source contains multiple documents; please use YAML.parseAllDocuments()')],
    ['an alias to nothing', edit('  version: 1.4.0', '  version: *missing'), issue('yaml-syntax', 1, '', 'YAML error: Unresolved alias (the anchor must be set before the alias): missing')],
    ['a list instead of a mapping', '- just\n- a list\n', issue('schema', 1, '', 'must be a YAML mapping (a Kubernetes object), got a list')],
    ['an empty file', '', issue('schema', 1, '', 'must be a YAML mapping (a Kubernetes object), got an empty document')],
  ])('refuses %s with a typed error naming the line and the field path', (_case, yamlText, expected) => {
    const error = refusal(yamlText);
    expect(error.issues).toContainEqual(expected);
    expect(error.message).toContain(`bad.yaml:${expected.line}: ${expected.path === '' ? '(document)' : expected.path}: ${expected.message}`);
  });

  it('refuses an alias bomb before expanding it, and names the limit', () => {
    // Nine references to nine references to … : 9^6 strings if expanded.
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const name of ['b', 'c', 'd', 'e', 'f']) {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(', ')}]`);
    }
    const started = performance.now();
    const error = refusal(`${levels.join('\n')}\n`);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.issues).toEqual([issue('yaml-aliases', 1, '', 'refused: its aliases expand past the limit of 100 (a resource exhaustion attack, or a file to write out in full)')]);
  });

  it('accepts a few aliases under the limit, and none when the limit is 0', () => {
    const aliased = edit('  version: 1.4.0', '  version: &version 1.4.0').replace('    - document-search', '    - *version');
    expect(parseAgentDeployment(aliased, 'aliased.yaml').resource.spec.tools).toEqual(['1.4.0']);
    expect(refusal(aliased, { maxAliases: 0 }).issues).toEqual([issue('yaml-aliases', 1, '', 'refused: aliases are not allowed (maxAliases is 0)')]);
    expect(() => parseAgentDeployment(EDGE, 'edge.yaml', { maxAliases: -1 })).toThrow(InvalidOptionError);
  });

  it('refuses text that is not a string with the one option error', () => {
    expect(() => parseAgentDeployment(undefined as unknown as string, 'x.yaml')).toThrow('Expected `yamlText` to be the text of a YAML file (a string), got undefined.');
    expect(() => loadAgent(Buffer.from(EDGE) as unknown as string, 'x.yaml')).toThrow(InvalidOptionError);
  });

  it('refuses an Agent whose image is named by tag', () => {
    const text = read('examples/agent.yaml').replace(/@sha256:[0-9a-f]{64}/, ':1.4.0');
    expect(() => loadAgent(text, 'agent.yaml')).toThrow(/agent\.yaml:10: spec\.image: must match/);
  });

  it('projects a deployment onto the reconciler’s AgentDeploymentSpec, which the reconciler accepts', () => {
    const { resource } = parseAgentDeployment(read('examples/agentdeployment-internal-datacenter.yaml'), 'dc.yaml');
    const spec = toReconcilerSpec(resource);
    expect(spec).toEqual({ model: 'llama-3.1-70b-instruct', replicas: 3, tools: ['document-search', 'ticket-read'], version: '1.4.0' });
    expect(validateAgentSpec(resource.metadata.name, spec)).toEqual(spec);
  });

  it('keeps the CRDs structural, with a type and a description on every field', () => {
    for (const path of [AGENT_CRD_PATH, AGENT_DEPLOYMENT_CRD_PATH]) {
      const crd = parseDocument(readFileSync(path, 'utf8')).toJS() as { spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
      const missing: string[] = [];
      walk(crd.spec.versions[0]?.schema.openAPIV3Schema ?? {}, '', missing);
      expect(missing).toEqual([]);
    }
  });

  it('lists in its CRD enums exactly the tiers, labels, serving software and weight formats of the data', () => {
    const schema = agentDeploymentCustomResourceSchema().openAPIV3Schema as Schema;
    const spec = schema.properties?.['spec'];
    expect(spec?.properties?.['profile']?.enum).toEqual([...TIER_IDS]);
    expect(spec?.properties?.['dataClearance']?.enum).toEqual([...LABELS]);
    expect(spec?.properties?.['model']?.properties?.['serving']?.enum).toEqual(deploymentProfiles().servingSoftware.map((software) => software.id));
    expect(spec?.properties?.['model']?.properties?.['weightFormat']?.enum).toEqual(WEIGHT_FORMATS);
    expect(spec?.properties?.['model']?.properties?.['kvCacheBits']?.default).toBe(DEFAULT_KV_CACHE_BITS);
    expect(spec?.properties?.['model']?.properties?.['concurrentSequences']?.default).toBe(DEFAULT_CONCURRENT_SEQUENCES);
    expect(spec?.properties?.['hardware']?.properties?.['reservedGB']?.default).toBe(DEFAULT_RESERVED_GB);
    const agent = (parseDocument(readFileSync(AGENT_CRD_PATH, 'utf8')).toJS() as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } }).spec.versions[0]?.schema.openAPIV3Schema.properties?.['spec'];
    expect(agent?.properties?.['tiers']?.items?.enum).toEqual([...TIER_IDS]);
    expect(agent?.properties?.['dataLabels']?.items?.enum).toEqual([...LABELS]);
  });
});

interface Schema {
  type?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
}

function walk(node: Schema, path: string, missing: string[]): void {
  if (path !== '' && !['apiVersion', 'kind', 'metadata'].includes(path)) {
    if (typeof node.type !== 'string') missing.push(`${path}: type`);
    if (typeof node.description !== 'string' || node.description.length === 0) missing.push(`${path}: description`);
  }
  for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, path === '' ? key : `${path}.${key}`, missing);
  if (node.items !== undefined) walk(node.items, `${path}[]`, missing);
}
