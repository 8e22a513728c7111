import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BudgetQuotaInvalid, MemoryQuotaStore, budgetQuotaSchema, loadBudgetQuota, toQuotaSpec } from '../src/index.ts';

const EXAMPLE = readFileSync(new URL('../examples/budgetquota.yaml', import.meta.url), 'utf8');
const SOURCE = 'examples/budgetquota.yaml';

function problems(yamlText: string): string {
  try {
    loadBudgetQuota(yamlText, 'bad.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(BudgetQuotaInvalid);
    return (error as Error).message;
  }
  throw new Error('expected the resource to be refused');
}

function edit(from: string, to: string): string {
  expect(EXAMPLE).toContain(from);
  return EXAMPLE.replace(from, to);
}

describe('the BudgetQuota custom resource', () => {
  it('accepts the example resource and turns it into the quota the stores enforce', () => {
    const resource = loadBudgetQuota(EXAMPLE, SOURCE);
    expect(resource.metadata.name).toBe('research-daily');
    const quota = toQuotaSpec(resource);
    expect(quota).toEqual({
      scope: 'team/research',
      limits: { tokens: 2_000_000, costMinor: 5000, toolCalls: 500 },
      currency: 'EUR',
      window: { type: 'fixed', durationMs: 86_400_000 },
      leaseMs: 300_000,
    });
    expect(() => new MemoryQuotaStore([quota])).not.toThrow();
  });

  it('fills in the schema’s default lease of 300 seconds when the reservation block is left out', () => {
    const resource = loadBudgetQuota(edit('  reservation:\n    leaseSeconds: 300\n', ''), SOURCE);
    expect(resource.spec.reservation.leaseSeconds).toBe(300);
  });

  it.each([
    ['a missing field', edit('    name: research\n', ''), 'bad.yaml:9: spec.scope.name: is required'],
    ['a wrong type', edit('tokens: 2000000', 'tokens: lots'), 'bad.yaml:12: spec.limits.tokens: must be integer (got "lots")'],
    ['a negative limit', edit('tokens: 2000000', 'tokens: -1'), 'bad.yaml:12: spec.limits.tokens: must be >= 0'],
    ['money as a decimal', edit('amountMinor: 5000', 'amountMinor: 50.5'), 'bad.yaml:14: spec.limits.cost.amountMinor: must be integer (got 50.5)'],
    ['a currency that is not an ISO 4217 code', edit('currency: EUR', 'currency: euro'), 'bad.yaml:15: spec.limits.cost.currency: must match pattern "^[A-Z]{3}$"'],
    ['an unknown window type', edit('type: Fixed', 'type: Sliding'), 'bad.yaml:18: spec.window.type: must be one of Fixed, Rolling (got "Sliding")'],
    ['a misspelt field', edit('tokens: 2000000', 'token: 2000000'), 'bad.yaml:12: spec.limits.token: is not a field of this schema'],
    ['no limit at all', edit('    tokens: 2000000\n    cost:\n      amountMinor: 5000 # 50.00 EUR\n      currency: EUR\n    toolCalls: 500\n', '    {}\n'), 'spec.limits: must NOT have fewer than 1 properties'],
    ['the wrong kind', edit('kind: BudgetQuota', 'kind: ResourceQuota'), 'bad.yaml:3: kind: must be "BudgetQuota" (got "ResourceQuota")'],
    ['the wrong apiVersion', edit('agentops.example.org/v1alpha1', 'agentops.example.org/v1'), 'bad.yaml:2: apiVersion: must be "agentops.example.org/v1alpha1" (got "agentops.example.org/v1")'],
    ['a name that is not a DNS name', edit('name: research-daily', 'name: Research_Daily'), 'bad.yaml:5: metadata.name: must be a DNS subdomain name (got "Research_Daily")'],
    ['malformed YAML', `${EXAMPLE}  limits: [\n`, 'bad.yaml:23: (document): YAML syntax error:'],
    ['a document that is not a mapping', '- just\n- a list\n', 'bad.yaml:1: (document): must be a YAML mapping'],
  ])('refuses %s, naming the line and the field path', (_kind, yamlText, expected) => {
    expect(problems(yamlText)).toContain(expected);
  });

  it('refuses a YAML alias bomb with BudgetQuotaInvalid, naming the line of the alias, before expanding it', () => {
    const levels = Array.from({ length: 10 }, (_, level) => `  l${level + 1}: &l${level + 1} [${Array.from({ length: 10 }, () => `*l${level}`).join(', ')}]`);
    const bomb = `${EXAMPLE}bomb:\n  l0: &l0 lol\n${levels.join('\n')}\n`;
    const started = performance.now();
    expect(problems(bomb)).toContain(
      'bad.yaml:24: (document): YAML aliases would expand past 100 nodes (an alias bomb); write the resource without anchors and aliases',
    );
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses a YAML alias that names no anchor with BudgetQuotaInvalid', () => {
    expect(problems(`${EXAMPLE}extra: *nowhere\n`)).toContain('bad.yaml:22: (document): YAML syntax error: Unresolved alias (the anchor must be set before the alias): nowhere');
  });

  it('lists every problem of a resource at once', () => {
    const message = problems(edit('tokens: 2000000', 'tokens: -1').replace('type: Fixed', 'type: Sliding'));
    expect(message).toContain('spec.limits.tokens: must be >= 0');
    expect(message).toContain('spec.window.type: must be one of Fixed, Rolling');
  });
});

describe('the CustomResourceDefinition', () => {
  it('serves and stores v1alpha1 of agentops.example.org/BudgetQuota', () => {
    const schema = budgetQuotaSchema();
    expect(schema).toMatchObject({ group: 'agentops.example.org', version: 'v1alpha1', kind: 'BudgetQuota', apiVersion: 'agentops.example.org/v1alpha1' });
    expect(schema.crdPath).toMatch(/schema[/\\]budgetquota\.crd\.yaml$/);
  });

  it('is a structural schema: every field has a type and a description, and objects list their properties', () => {
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string): void => {
      if (typeof node['type'] !== 'string') missing.push(`${path}: type`);
      if (path !== 'metadata' && typeof node['description'] !== 'string') missing.push(`${path}: description`);
      const properties = (node['properties'] ?? {}) as Record<string, Record<string, unknown>>;
      if (node['type'] === 'object' && path !== 'metadata' && Object.keys(properties).length === 0) missing.push(`${path}: properties`);
      for (const [name, child] of Object.entries(properties)) walk(child, path === '' ? name : `${path}.${name}`);
    };
    walk(budgetQuotaSchema().openAPIV3Schema, '');
    expect(missing).toEqual([]);
  });

  it('hands out a copy of the schema, so a caller cannot change what the loader validates against', () => {
    const schema = budgetQuotaSchema();
    (schema.openAPIV3Schema as { required: string[] }).required.length = 0;
    expect(budgetQuotaSchema().openAPIV3Schema['required']).toEqual(['spec']);
    expect(() => loadBudgetQuota('apiVersion: agentops.example.org/v1alpha1\nkind: BudgetQuota\nmetadata:\n  name: empty\n', 'empty.yaml')).toThrow(
      'empty.yaml:1: spec: is required',
    );
  });
});
