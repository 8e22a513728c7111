import { readFileSync } from 'node:fs';
import { InvalidOptionError, wholeNumber } from '@12-factor-agentops/core';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { DEFAULT_MAX_YAML_ALIASES } from './defaults.ts';
import { ResourceFileInvalid } from './errors.ts';
import type { ResourceIssue } from './errors.ts';
import { formatFieldPath, locateSchemaErrors } from './schema-issues.ts';

/** A parsed YAML mapping and a way back from a field path to the line that holds it. */
export interface YamlMapping {
  readonly value: Record<string, unknown>;
  /** The line of the field at `segments` (its key's line); a missing field points at the deepest key on its path that exists. */
  lineOf(segments: readonly (string | number)[]): number;
}

/** Options of the YAML loaders. */
export interface YamlLoadOptions {
  /**
   * The limit on alias expansion, counted as the `yaml` library's `maxAliasCount` counts it;
   * past it the document is refused as a resource exhaustion attack ("billion laughs").
   * Default `DEFAULT_MAX_YAML_ALIASES` (100); 0 refuses every alias.
   */
  readonly maxAliases?: number;
}

/**
 * Parses one YAML document that must be a mapping. Throws `ResourceFileInvalid` (naming
 * `kind`) for a syntax error, a duplicate key, more than one document, an unresolved alias,
 * too many alias expansions, or a document that is not a mapping; every issue has its line.
 */
export function parseYamlMapping(text: string, source: string, kind: string, options: YamlLoadOptions = {}): YamlMapping {
  if (typeof text !== 'string') throw new InvalidOptionError('yamlText', 'the text of a YAML file (a string)', text);
  const maxAliases = wholeNumber('maxAliases', options.maxAliases ?? DEFAULT_MAX_YAML_ALIASES, 0);
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ResourceFileInvalid(
      source,
      kind,
      document.errors.map((error) => ({ kind: 'yaml-syntax', path: '', line: error.linePos?.[0].line ?? 1, message: `YAML syntax error: ${firstLine(error.message)}` })),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: maxAliases });
  } catch (error) {
    // yaml throws a ReferenceError for an unresolved alias, for any alias when the limit is
    // 0, and when aliases expand past the limit (it counts nodes resolved × aliases used).
    const message = error instanceof Error ? error.message : String(error);
    const aliases = /alias count|alias resolution is disabled/i.test(message);
    throw new ResourceFileInvalid(source, kind, [
      aliases
        ? { kind: 'yaml-aliases', path: '', line: 1, message: maxAliases === 0 ? 'refused: aliases are not allowed (maxAliases is 0)' : `refused: its aliases expand past the limit of ${maxAliases} (a resource exhaustion attack, or a file to write out in full)` }
        : { kind: 'yaml-syntax', path: '', line: 1, message: `YAML error: ${firstLine(message)}` },
    ]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ResourceFileInvalid(source, kind, [{ kind: 'schema', path: '', line: 1, message: `must be a YAML mapping (a Kubernetes object), got ${value === null ? 'an empty document' : Array.isArray(value) ? 'a list' : typeof value}` }]);
  }
  return { value: value as Record<string, unknown>, lineOf: (segments) => lineOfPath(document, lines, segments) };
}

// yaml's messages end with a position and a code frame; the issue carries the line instead.
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

// A field's line is its key's line; a field that is missing points at the deepest key on
// its path that exists, so "spec.model.weightFormat is required" lands on `model:`.
function lineOfPath(document: Document, lines: LineCounter, segments: readonly (string | number)[]): number {
  for (let depth = segments.length; depth > 0; depth--) {
    const parent: unknown = depth === 1 ? document.contents : document.getIn(segments.slice(0, depth - 1), true);
    const segment = segments[depth - 1];
    let node: unknown;
    if (isMap(parent)) node = parent.items.find((pair) => (isScalar(pair.key) ? pair.key.value : pair.key) === segment)?.key;
    else if (isSeq(parent) && typeof segment === 'number') node = parent.items[segment];
    const start = (node as { range?: readonly number[] } | null | undefined)?.range?.[0];
    if (start !== undefined) return lines.linePos(start).line;
  }
  return 1;
}

/** The served storage version of a CustomResourceDefinition kept in this package, compiled. */
export interface CustomResourceSchema {
  readonly crdPath: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `group/version`: what a resource's `apiVersion` must say. */
  readonly apiVersion: string;
  readonly openAPIV3Schema: Readonly<Record<string, unknown>>;
  readonly validate: ValidateFunction;
}

// Annotations to a JSON Schema validator. CEL rules (x-kubernetes-validations) are not
// evaluated here; the CRDs of this package have none.
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];

/** Reads a CRD manifest and compiles its served storage version's `openAPIV3Schema`, refusing unknown fields as a strict API server does. */
export function loadCustomResourceSchema(crdPath: string): CustomResourceSchema {
  const crd = parseDocument(readFileSync(crdPath, 'utf8')).toJS() as CrdManifest;
  const version = crd.spec.versions.find((candidate) => candidate.served && candidate.storage);
  if (version === undefined) throw new Error(`${crdPath}: no version is both served and stored; fix the CRD`);
  const ajv = new Ajv({ allErrors: true, useDefaults: true, validateFormats: false, verbose: true, strict: true });
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  const openAPIV3Schema = version.schema.openAPIV3Schema;
  return {
    crdPath,
    group: crd.spec.group,
    version: version.name,
    kind: crd.spec.names.kind,
    apiVersion: `${crd.spec.group}/${version.name}`,
    openAPIV3Schema,
    validate: ajv.compile(closeObjects(structuredClone(openAPIV3Schema))),
  };
}

interface CrdManifest {
  readonly spec: {
    readonly group: string;
    readonly names: { readonly kind: string };
    readonly versions: readonly { readonly name: string; readonly served: boolean; readonly storage: boolean; readonly schema: { readonly openAPIV3Schema: Record<string, unknown> } }[];
  };
}

// Kubernetes prunes or (with strict field validation, kubectl's default) refuses a field
// its structural schema does not declare; plain JSON Schema would let it through. Declaring
// every object closed makes a misspelt `egres:` an error rather than "no egress declared".
function closeObjects(node: Record<string, unknown>): Record<string, unknown> {
  const properties = node['properties'];
  if (typeof properties === 'object' && properties !== null) {
    for (const child of Object.values(properties)) closeObjects(child as Record<string, unknown>);
    if (node['additionalProperties'] === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) node['additionalProperties'] = false;
  }
  const items = node['items'];
  if (typeof items === 'object' && items !== null) closeObjects(items as Record<string, unknown>);
  // The API server refuses a repeated item in a list declared a set; so does this loader.
  if (node['x-kubernetes-list-type'] === 'set') node['uniqueItems'] = true;
  return node;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Parses a YAML file and validates it as a resource of `schema`: the structural schema
 * (defaults filled in), `apiVersion`, `kind` and `metadata.name`. Throws `ResourceFileInvalid`
 * listing every problem with its line and field path.
 */
export function loadResource(text: string, source: string, schema: CustomResourceSchema, options: YamlLoadOptions = {}): YamlMapping {
  const parsed = parseYamlMapping(text, source, schema.kind, options);
  const { value, lineOf } = parsed;
  const issues: ResourceIssue[] = [];
  if (!schema.validate(value)) {
    for (const issue of locateSchemaErrors(schema.validate.errors ?? [])) {
      issues.push({ kind: 'schema', path: formatFieldPath(issue.segments), line: lineOf(issue.segments), message: issue.message });
    }
  }
  if (value['apiVersion'] !== schema.apiVersion) {
    issues.push({ kind: 'schema', path: 'apiVersion', line: lineOf(['apiVersion']), message: `must be "${schema.apiVersion}" (got ${JSON.stringify(value['apiVersion']) ?? 'nothing'})` });
  }
  if (value['kind'] !== schema.kind) {
    issues.push({ kind: 'schema', path: 'kind', line: lineOf(['kind']), message: `must be "${schema.kind}" (got ${JSON.stringify(value['kind']) ?? 'nothing'})` });
  }
  const metadata = value['metadata'];
  const name = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['name'] : undefined;
  if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    issues.push({ kind: 'schema', path: 'metadata.name', line: lineOf(['metadata', 'name']), message: `must be a DNS subdomain name: lower case letters, digits, "-" and "." (got ${JSON.stringify(name) ?? 'nothing'})` });
  }
  if (issues.length > 0) throw new ResourceFileInvalid(source, schema.kind, issues);
  return parsed;
}
