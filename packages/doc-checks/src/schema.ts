// Loads the schema a custom resource declares: a Kubernetes CustomResourceDefinition (its
// structural openAPIV3Schema) or a plain JSON Schema, in JSON or YAML, compiled with ajv.
import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';

export type { ErrorObject };

/** One CRD: its group, kind and the schema of each version (undefined when it has none). */
export interface CrdSchema {
  readonly group: string;
  readonly kind: string;
  readonly versions: ReadonlyMap<string, AnySchemaObject | undefined>;
}

export type LoadedSchema =
  | { readonly kind: 'crd'; readonly crds: readonly CrdSchema[] }
  | { readonly kind: 'json-schema'; readonly schema: AnySchemaObject };

export type SchemaLoad = { readonly ok: true; readonly schema: LoadedSchema } | { readonly ok: false; readonly problem: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses schema file text (`path` decides JSON or YAML) into a CRD or a JSON Schema. */
export function parseSchemaFile(path: string, text: string): SchemaLoad {
  let documents: unknown[];
  try {
    if (path.endsWith('.json')) {
      documents = [JSON.parse(text)];
    } else {
      const parsed = parseAllDocuments(text);
      const list = Array.isArray(parsed) ? parsed : [];
      const broken = list.find((document) => document.errors.length > 0);
      if (broken !== undefined) return { ok: false, problem: `is not valid YAML (${broken.errors[0]?.message.split('\n')[0] ?? 'parse error'})` };
      documents = list.map((document) => document.toJS() as unknown).filter((value) => value !== null);
    }
  } catch (error) {
    return { ok: false, problem: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const crdDocuments = documents.filter((document) => isObject(document) && document['kind'] === 'CustomResourceDefinition');
  if (crdDocuments.length === 0) {
    const schema = documents[0];
    if (documents.length !== 1 || !isObject(schema)) return { ok: false, problem: 'is neither a CustomResourceDefinition nor a single JSON Schema object' };
    return { ok: true, schema: { kind: 'json-schema', schema } };
  }
  const crds: CrdSchema[] = [];
  for (const document of crdDocuments) {
    const crd = readCrd(document);
    if (typeof crd === 'string') return { ok: false, problem: crd };
    crds.push(crd);
  }
  return { ok: true, schema: { kind: 'crd', crds } };
}

function readCrd(document: unknown): CrdSchema | string {
  if (!isObject(document) || document['apiVersion'] !== 'apiextensions.k8s.io/v1') {
    return 'is a CustomResourceDefinition but not apiextensions.k8s.io/v1';
  }
  const spec = document['spec'];
  const names = isObject(spec) ? spec['names'] : undefined;
  const group = isObject(spec) ? spec['group'] : undefined;
  const kind = isObject(names) ? names['kind'] : undefined;
  const versions = isObject(spec) ? spec['versions'] : undefined;
  if (typeof group !== 'string' || typeof kind !== 'string' || !Array.isArray(versions)) {
    return 'is a CustomResourceDefinition without spec.group, spec.names.kind and spec.versions';
  }
  const schemas = new Map<string, AnySchemaObject | undefined>();
  for (const version of versions as unknown[]) {
    if (!isObject(version) || typeof version['name'] !== 'string') continue;
    const schema = isObject(version['schema']) ? version['schema']['openAPIV3Schema'] : undefined;
    schemas.set(version['name'], isObject(schema) ? schema : undefined);
  }
  return { group, kind, versions: schemas };
}

/**
 * Turns a structural openAPIV3Schema into the JSON Schema the API server effectively
 * enforces: x-kubernetes-* extensions become their meaning, and fields a schema does not
 * declare are errors, as with kubectl's strict field validation, so a typo is caught.
 */
export function crdToJsonSchema(schema: AnySchemaObject): AnySchemaObject {
  const converted = convert(schema, true);
  const properties = isObject(converted['properties']) ? converted['properties'] : {};
  // Every object carries apiVersion, kind and metadata even when the CRD leaves them out.
  converted['properties'] = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...properties };
  return converted;
}

function convert(node: unknown, closeObjects: boolean): AnySchemaObject {
  if (!isObject(node)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, convert(child, true)]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isObject(value)) {
      out[key] = convert(value, key !== 'not');
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      // Branches of a combinator only add constraints; closing them would reject the
      // fields the enclosing schema declares.
      out[key] = (value as unknown[]).map((child) => convert(child, false));
    } else {
      out[key] = value;
    }
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out['type'];
    out['anyOf'] = [{ type: 'integer' }, { type: 'string' }, ...(Array.isArray(out['anyOf']) ? [{ anyOf: out['anyOf'] }] : [])];
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    const properties = isObject(out['properties']) ? out['properties'] : {};
    out['properties'] = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...properties };
  }
  const preserves = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (closeObjects && !preserves && isObject(out['properties']) && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

// Compiling is most of a check's time; a schema seen before in this process (the re-check
// after fix, a test suite's many runs) reuses its compiled validator.
const compiled = new Map<string, ValidateFunction | string>();
const instances = new Map<string, Ajv>();

/** A validate function for the schema, or why it does not compile. */
export function compileSchema(schema: AnySchemaObject): ValidateFunction | string {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (validate === undefined) {
    try {
      const ajv = ajvFor(schema);
      // An edited schema keeps its $id; ajv would refuse to register the id a second time.
      if (typeof schema.$id === 'string') ajv.removeSchema(schema.$id);
      validate = ajv.compile(schema);
    } catch (error) {
      validate = error instanceof Error ? error.message : String(error);
    }
    compiled.set(key, validate);
  }
  return validate;
}

function ajvFor(schema: AnySchemaObject): Ajv {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const draft = dialect.includes('2020-12') ? '2020' : dialect.includes('2019-09') ? '2019' : '7';
  let ajv = instances.get(draft);
  if (ajv === undefined) {
    // strict: false tolerates OpenAPI annotations ajv does not know (example, externalDocs);
    // verbose keeps each failing schema so an unknown field can suggest the declared ones.
    const options = { allErrors: true, strict: false, verbose: true, validateFormats: false } as const;
    ajv = draft === '2020' ? new Ajv2020(options) : draft === '2019' ? new Ajv2019(options) : new Ajv(options);
    instances.set(draft, ajv);
  }
  return ajv;
}
