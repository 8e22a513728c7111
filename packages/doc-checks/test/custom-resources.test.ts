import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyValidRepo, replaceOnce, reported } from './helpers.ts';

const VIII = 'docs/factors/08-human-validation.md';
const CRD = 'packages/quota-example/config/quota-crd.yaml';
const FIX_CRD = `Correct the YAML block to match ${CRD}.`;
const FIX_JSON = 'Correct the YAML block to match packages/quota-example/config/settings.schema.json.';

describe('custom resources against a CustomResourceDefinition', () => {
  it('names the field path and its line for a value of the wrong type', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, 'tokens: 50000', 'tokens: lots');
    expect(reported(root, 'custom-resources')).toEqual([`docs/factors/08-human-validation.md:43: field spec.limits.tokens must be integer. ${FIX_CRD}`]);
  });

  it('reports a misspelt field with the field it probably meant, and the field now missing', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, '  limits:\n    tokens', '  limts:\n    tokens');
    expect(reported(root, 'custom-resources')).toEqual([
      'docs/factors/08-human-validation.md:40: field spec.limits is required but missing. Add spec.limits.',
      'docs/factors/08-human-validation.md:42: field spec.limts is not in the schema. Did you mean spec.limits?',
    ]);
  });

  it('lists the allowed values of an enum, and checks minimum', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, '    calls: 20\n', '    calls: -1\n  window: hourly\n');
    expect(reported(root, 'custom-resources')).toEqual([
      `docs/factors/08-human-validation.md:44: field spec.limits.calls must be >= 0. ${FIX_CRD}`,
      `docs/factors/08-human-validation.md:45: field spec.window must be equal to one of the allowed values: "fixed", "rolling". ${FIX_CRD}`,
    ]);
  });

  it('honours x-kubernetes-int-or-string and x-kubernetes-preserve-unknown-fields', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, '    calls: 20\n', '    calls: 20\n  ttl: 30s\n  labels:\n    anything: goes\n');
    expect(reported(root, 'custom-resources')).toEqual([]);
    replaceOnce(root, VIII, '  ttl: 30s\n', '  ttl: [30]\n');
    expect(reported(root, 'custom-resources')).toContain(`docs/factors/08-human-validation.md:45: field spec.ttl must be integer. ${FIX_CRD}`);
  });

  it("reports a kind or an apiVersion that is not the CRD's", () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, 'kind: Quota\n', 'kind: Quotas\n');
    replaceOnce(root, VIII, 'apiVersion: quota.example.org/v1', 'apiVersion: quota.example.com/v1');
    expect(reported(root, 'custom-resources')).toEqual([
      `docs/factors/08-human-validation.md:36: field apiVersion 'quota.example.com/v1' is not in group quota.example.org of ${CRD}. Write apiVersion: quota.example.org/v1.`,
      `docs/factors/08-human-validation.md:37: field kind is 'Quotas' but ${CRD} defines kind Quota. Write kind: Quota.`,
    ]);
  });

  it('reports a version the CRD does not define', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, 'apiVersion: quota.example.org/v1', 'apiVersion: quota.example.org/v2');
    expect(reported(root, 'custom-resources')).toEqual([
      `docs/factors/08-human-validation.md:36: field apiVersion 'quota.example.org/v2': ${CRD} has no version 'v2' (it has v1). Use one of quota.example.org/v1.`,
    ]);
  });

  it('reports malformed YAML at its line', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, '  scope: team-a\n', '  scope: team-a: b\n');
    expect(reported(root, 'custom-resources')).toEqual([
      'docs/factors/08-human-validation.md:41: malformed YAML: Nested mappings are not allowed in compact mappings. Fix the YAML syntax.',
    ]);
  });

  it('reports a schema file that does not exist, and a marker not followed by a yaml block', () => {
    const root = copyValidRepo();
    rmSync(join(root, CRD));
    replaceOnce(root, VIII, '<!-- schema: packages/quota-example/config/settings.schema.json -->\n```yaml', '<!-- schema: packages/quota-example/config/settings.schema.json -->\n```json');
    expect(reported(root, 'custom-resources')).toEqual([
      `docs/factors/08-human-validation.md:34: schema ${CRD} does not exist. Fix the schema path in the marker, or the schema file.`,
      'docs/factors/08-human-validation.md:49: the schema marker for packages/quota-example/config/settings.schema.json is not directly followed by a ```yaml block. Put the ```yaml fence on the line right after the marker.',
    ]);
  });
});

describe('YAML blocks against a JSON Schema', () => {
  it('validates with the draft the schema names and reports field paths', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, 'window: rolling\nttlSeconds: 30\n', 'window: hourly\nttlSeconds: 0\nttl: 3\n');
    expect(reported(root, 'custom-resources')).toEqual([
      `docs/factors/08-human-validation.md:51: field window must be equal to one of the allowed values: "fixed", "rolling". ${FIX_JSON}`,
      `docs/factors/08-human-validation.md:52: field ttlSeconds must be >= 1. ${FIX_JSON}`,
      'docs/factors/08-human-validation.md:53: field ttl is not in the schema. Remove it; packages/quota-example/config/settings.schema.json declares window, ttlSeconds here.',
    ]);
  });

  it('validates against the schema as edited, even when the edit keeps its $id', () => {
    const root = copyValidRepo();
    const schema = 'packages/quota-example/config/settings.schema.json';
    replaceOnce(root, schema, '"type": "object",', '"$id": "https://example.org/settings.schema.json",\n  "type": "object",');
    expect(reported(root, 'custom-resources')).toEqual([]);
    replaceOnce(root, schema, '"minimum": 1', '"minimum": 60');
    expect(reported(root, 'custom-resources')).toEqual([`docs/factors/08-human-validation.md:52: field ttlSeconds must be >= 60. ${FIX_JSON}`]);
  });

  it('reports a required field missing from the document', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, 'window: rolling\n', '');
    expect(reported(root, 'custom-resources')).toEqual(['docs/factors/08-human-validation.md:51: field window is required but missing. Add window.']);
  });
});
