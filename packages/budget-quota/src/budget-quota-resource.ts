import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, visit } from 'yaml';
import type { Document } from 'yaml';
import { BudgetQuotaInvalid } from './errors.ts';
import type { QuotaLimits, QuotaSpec } from './quota-spec.ts';

/** A `BudgetQuota` custom resource that passed its CustomResourceDefinition's schema. */
export interface BudgetQuotaResource {
  readonly apiVersion: string;
  readonly kind: 'BudgetQuota';
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly scope: { readonly type: 'Team' | 'Agent' | 'Namespace'; readonly name: string };
    readonly limits: {
      readonly tokens?: number;
      readonly cost?: { readonly amountMinor: number; readonly currency: string };
      readonly toolCalls?: number;
    };
    readonly window: { readonly type: 'Fixed' | 'Rolling'; readonly durationSeconds: number };
    /** Filled in by the schema's defaults when omitted (lease 300 s). */
    readonly reservation: { readonly leaseSeconds: number };
  };
}

/** The schema of the served storage version of the BudgetQuota CustomResourceDefinition. */
export interface BudgetQuotaSchema {
  /** Path of the CRD manifest, `schema/budgetquota.crd.yaml` in this package. */
  readonly crdPath: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `group/version`, what a resource's `apiVersion` must say. */
  readonly apiVersion: string;
  readonly openAPIV3Schema: Record<string, unknown>;
}

const CRD_PATH = fileURLToPath(new URL('../schema/budgetquota.crd.yaml', import.meta.url));

// The `x-kubernetes-*` extensions are annotations to a JSON Schema validator. Note that
// `x-kubernetes-validations` (CEL rules) are not evaluated here; this CRD has none.
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];

let cached: { schema: BudgetQuotaSchema; validate: ValidateFunction } | undefined;

/** Reads the CRD manifest kept in this package and returns its served storage version's `openAPIV3Schema` (a fresh copy per call). */
export function budgetQuotaSchema(): BudgetQuotaSchema {
  const { schema } = compiled();
  return { ...schema, openAPIV3Schema: structuredClone(schema.openAPIV3Schema) };
}

/**
 * Parses one YAML document and validates it against the BudgetQuota CRD, as a cluster with
 * strict field validation would: schema, unknown fields, `apiVersion`, `kind` and
 * `metadata.name`. Schema defaults are filled in. Throws `BudgetQuotaInvalid` listing each
 * problem as `source:line: field.path: message`.
 */
export function loadBudgetQuota(yamlText: string, source: string): BudgetQuotaResource {
  const { schema, validate } = compiled();
  const lines = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter: lines });
  if (document.errors.length > 0) {
    throw new BudgetQuotaInvalid(
      source,
      document.errors.map((error) => ({ path: '', line: error.linePos?.[0].line ?? 1, message: `YAML syntax error: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}` })),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (error) {
    // The yaml library throws a plain ReferenceError for an alias bomb or an alias without
    // its anchor; the caller is promised BudgetQuotaInvalid for every refused document.
    throw new BudgetQuotaInvalid(source, [{ path: '', line: firstAliasLine(document, lines), message: aliasProblem(error) }]);
  }
  const lineOf = (path: readonly (string | number)[]): number => lineOfPath(document, lines, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BudgetQuotaInvalid(source, [{ path: '', line: 1, message: 'must be a YAML mapping (a Kubernetes object)' }]);
  }
  const issues = validate(value) ? [] : (validate.errors ?? []).map((error) => describeError(error, lineOf));
  const object = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (object.apiVersion !== schema.apiVersion) {
    issues.push({ path: 'apiVersion', line: lineOf(['apiVersion']), message: `must be "${schema.apiVersion}" (got ${JSON.stringify(object.apiVersion)})` });
  }
  if (object.kind !== schema.kind) {
    issues.push({ path: 'kind', line: lineOf(['kind']), message: `must be "${schema.kind}" (got ${JSON.stringify(object.kind)})` });
  }
  const name = object.metadata?.name;
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) || name.length > 253) {
    issues.push({ path: 'metadata.name', line: lineOf(['metadata', 'name']), message: `must be a DNS subdomain name (got ${JSON.stringify(name)})` });
  }
  if (issues.length > 0) throw new BudgetQuotaInvalid(source, issues);
  return value as BudgetQuotaResource;
}

/** Turns a validated resource into the quota the stores enforce; the scope key is `<type>/<name>` in lower case, e.g. `team/research`. */
export function toQuotaSpec(resource: BudgetQuotaResource): QuotaSpec {
  const { scope, limits, window, reservation } = resource.spec;
  const quotaLimits: QuotaLimits = {
    ...(limits.tokens === undefined ? {} : { tokens: limits.tokens }),
    ...(limits.cost === undefined ? {} : { costMinor: limits.cost.amountMinor }),
    ...(limits.toolCalls === undefined ? {} : { toolCalls: limits.toolCalls }),
  };
  return {
    scope: `${scope.type.toLowerCase()}/${scope.name}`,
    limits: quotaLimits,
    ...(limits.cost === undefined ? {} : { currency: limits.cost.currency }),
    window: { type: window.type === 'Fixed' ? 'fixed' : 'rolling', durationMs: window.durationSeconds * 1000 },
    leaseMs: reservation.leaseSeconds * 1000,
  };
}

// How many nodes aliases may add when a document is expanded: a BudgetQuota needs none, and
// ten levels of ten aliases each would otherwise become 10^10 nodes.
const MAX_ALIAS_EXPANSION = 100;

function aliasProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/excessive alias count/i.test(message)) {
    return `YAML aliases would expand past ${MAX_ALIAS_EXPANSION} nodes (an alias bomb); write the resource without anchors and aliases`;
  }
  return `YAML syntax error: ${message}`;
}

function firstAliasLine(document: Document, lines: LineCounter): number {
  let line = 1;
  visit(document, {
    Alias(_key, node) {
      if (node.range !== undefined && node.range !== null) line = lines.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}

function compiled(): { schema: BudgetQuotaSchema; validate: ValidateFunction } {
  if (cached !== undefined) return cached;
  const crd = parseDocument(readFileSync(CRD_PATH, 'utf8')).toJS() as CrdManifest;
  const version = crd.spec.versions.find((candidate) => candidate.served && candidate.storage);
  if (version === undefined) throw new Error(`${CRD_PATH}: no version is both served and stored`);
  const schema: BudgetQuotaSchema = {
    crdPath: CRD_PATH,
    group: crd.spec.group,
    version: version.name,
    kind: crd.spec.names.kind,
    apiVersion: `${crd.spec.group}/${version.name}`,
    openAPIV3Schema: version.schema.openAPIV3Schema,
  };
  const ajv = new Ajv({ allErrors: true, useDefaults: true, validateFormats: false, verbose: true });
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  cached = { schema, validate: ajv.compile(rejectUnknownFields(structuredClone(schema.openAPIV3Schema))) };
  return cached;
}

interface CrdManifest {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }[];
  };
}

// A cluster with strict field validation (kubectl's default `--validate=strict`; server-side
// since Kubernetes 1.27, https://github.com/kubernetes/enhancements/issues/2885) refuses a
// field its schema does not declare, where plain JSON Schema would accept it: a typo such
// as `limits.token` must not pass as "no token limit".
function rejectUnknownFields(node: Record<string, unknown>): Record<string, unknown> {
  const properties = node['properties'];
  if (typeof properties === 'object' && properties !== null) {
    for (const child of Object.values(properties)) rejectUnknownFields(child as Record<string, unknown>);
    if (node['additionalProperties'] === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) node['additionalProperties'] = false;
  }
  const items = node['items'];
  if (typeof items === 'object' && items !== null) rejectUnknownFields(items as Record<string, unknown>);
  return node;
}

function describeError(error: ErrorObject, lineOf: (path: readonly (string | number)[]) => number): { path: string; line: number; message: string } {
  const segments = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'required') {
    segments.push(String(params['missingProperty']));
    message = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    segments.push(String(params['additionalProperty']));
    message = 'is not a field of this schema';
  } else if (error.keyword === 'enum') {
    message = `must be one of ${(params['allowedValues'] as unknown[]).join(', ')} (got ${JSON.stringify(error.data)})`;
  } else if (error.keyword === 'type') {
    message = `must be ${String(params['type'])} (got ${JSON.stringify(error.data)})`;
  }
  return { path: formatPath(segments), line: lineOf(segments), message };
}

function formatPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((path, segment) => (/^\d+$/.test(String(segment)) ? `${path}[${segment}]` : path === '' ? String(segment) : `${path}.${segment}`), '');
}

// The line of the deepest node on `path` that exists: a missing field points at its parent.
function lineOfPath(document: Document, lines: LineCounter, path: readonly (string | number)[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = document.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range !== undefined) return lines.linePos(range[0]).line;
  }
  return 1;
}
