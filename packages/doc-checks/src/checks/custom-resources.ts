// Check 8: a YAML block marked `<!-- schema: packages/<pkg>/<schema> -->` is a valid instance
// of that schema, so an example a reader copies into a cluster is one the cluster accepts.
import type { Document } from 'yaml';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { splitLines } from '../markdown.ts';
import { findMarkedBlocks } from '../markers.ts';
import type { Problem } from '../problems.ts';
import type { Repo } from '../repo.ts';
import type { ErrorObject, LoadedSchema, SchemaLoad } from '../schema.ts';
import { compileSchema, crdToJsonSchema, parseSchemaFile } from '../schema.ts';
import { closest } from '../similarity.ts';

const MARKER_VALUE = /^packages\/[^\s#]+$/;

function problem(file: string, line: number, message: string, fix: string): Problem {
  return { check: 'custom-resources', file, line, message, fix };
}

interface Context {
  readonly repo: Repo;
  readonly schemas: Map<string, SchemaLoad>;
}

export function checkCustomResources(repo: Repo): { readonly problems: Problem[]; readonly count: number } {
  const context: Context = { repo, schemas: new Map() };
  const problems: Problem[] = [];
  let count = 0;
  for (const file of repo.docFiles) {
    const lines = splitLines(repo.read(file));
    for (const block of findMarkedBlocks(lines, 'schema')) {
      count += 1;
      const schemaPath = block.value;
      if (!MARKER_VALUE.test(schemaPath) || schemaPath.split('/').includes('..')) {
        problems.push(problem(file, block.markerLine, `malformed schema marker '${schemaPath}'`, 'Write <!-- schema: packages/<pkg>/<path-to-schema> -->'));
        continue;
      }
      const fence = block.fence;
      if (fence === undefined || !['yaml', 'yml'].includes(fence.lang)) {
        problems.push(problem(file, block.markerLine, `the schema marker for ${schemaPath} is not directly followed by a \`\`\`yaml block`, 'Put the ```yaml fence on the line right after the marker'));
        continue;
      }
      if (fence.close === undefined) {
        problems.push(problem(file, fence.open + 1, 'the YAML block is never closed', 'Close the fence'));
        continue;
      }
      const load = loadSchema(context, schemaPath);
      if (!load.ok) {
        problems.push(problem(file, block.markerLine, `schema ${schemaPath} ${load.problem}`, 'Fix the schema path in the marker, or the schema file'));
        continue;
      }
      const source = lines.slice(fence.open + 1, fence.close).join('\n');
      for (const found of validateBlock(context, load.schema, schemaPath, source)) {
        problems.push(problem(file, fence.open + 1 + found.line, found.message, found.fix));
      }
    }
  }
  return { problems, count };
}

// yaml's messages end with a position inside the block; the report gives the file's line instead.
function yamlReason(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

function loadSchema(context: Context, path: string): SchemaLoad {
  let load = context.schemas.get(path);
  if (load === undefined) {
    load = context.repo.isFile(path) ? parseSchemaFile(path, context.repo.read(path)) : { ok: false, problem: 'does not exist' };
    context.schemas.set(path, load);
  }
  return load;
}

/** A problem inside a YAML block; `line` is 1-based within the block. */
interface BlockProblem {
  readonly line: number;
  readonly message: string;
  readonly fix: string;
}

function validateBlock(context: Context, schema: LoadedSchema, schemaPath: string, source: string): BlockProblem[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(source, { lineCounter });
  const documents = Array.isArray(parsed) ? parsed : [];
  if (documents.length === 0) return [{ line: 1, message: 'the YAML block is empty', fix: 'Write the custom resource in the block' }];
  const problems: BlockProblem[] = [];
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  for (const document of documents) {
    const error = document.errors[0];
    if (error !== undefined) {
      problems.push({ line: error.linePos?.[0].line ?? lineOf(error.pos[0]), message: `malformed YAML: ${yamlReason(error.message)}`, fix: 'Fix the YAML syntax' });
      continue;
    }
    const value: unknown = document.toJS();
    const selected = selectSchema(schema, value, document, lineOf, schemaPath);
    if ('problems' in selected) {
      problems.push(...selected.problems);
      continue;
    }
    const validate = compileSchema(selected.schema);
    if (typeof validate === 'string') {
      problems.push({ line: 1, message: `schema ${schemaPath} does not compile: ${validate}`, fix: 'Fix the schema' });
      continue;
    }
    if (validate(value)) continue;
    const seen = new Set<string>();
    for (const failure of validate.errors ?? []) {
      const found = describeError(failure, document, lineOf, schemaPath);
      const key = `${String(found.line)} ${found.message}`;
      if (!seen.has(key)) problems.push(found);
      seen.add(key);
    }
  }
  return problems;
}

type Selection = { readonly schema: Record<string, unknown> } | { readonly problems: BlockProblem[] };

// A CRD validates only resources of its own group, version and kind: a mismatch is what
// the API server would answer "no matches for kind" to.
function selectSchema(schema: LoadedSchema, value: unknown, document: Document, lineOf: (offset: number) => number, schemaPath: string): Selection {
  if (schema.kind === 'json-schema') return { schema: schema.schema };
  const resource = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const apiVersion = typeof resource['apiVersion'] === 'string' ? resource['apiVersion'] : '';
  const kind = typeof resource['kind'] === 'string' ? resource['kind'] : '';
  const crd = schema.crds.find((candidate) => candidate.kind === kind) ?? schema.crds[0];
  if (crd === undefined) return { problems: [{ line: 1, message: `schema ${schemaPath} holds no CustomResourceDefinition`, fix: 'Fix the schema' }] };
  const problems: BlockProblem[] = [];
  const at = (field: string) => locate(document, [field], lineOf);
  if (kind !== crd.kind) {
    problems.push({ line: at('kind'), message: `field kind is '${kind}' but ${schemaPath} defines kind ${crd.kind}`, fix: `Write kind: ${crd.kind}` });
  }
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const versions = [...crd.versions.keys()];
  if (group !== crd.group) {
    problems.push({ line: at('apiVersion'), message: `field apiVersion '${apiVersion}' is not in group ${crd.group} of ${schemaPath}`, fix: `Write apiVersion: ${crd.group}/${versions[0] ?? '<version>'}` });
  } else if (!crd.versions.has(version)) {
    problems.push({ line: at('apiVersion'), message: `field apiVersion '${apiVersion}': ${schemaPath} has no version '${version}' (it has ${versions.join(', ')})`, fix: `Use one of ${versions.map((name) => `${crd.group}/${name}`).join(', ')}` });
  }
  if (problems.length > 0) return { problems };
  const openApi = crd.versions.get(version);
  if (openApi === undefined) return { problems: [{ line: at('apiVersion'), message: `${schemaPath} version ${version} has no schema.openAPIV3Schema`, fix: 'Add the structural schema to the CRD version' }] };
  return { schema: crdToJsonSchema(openApi) };
}

function segmentsOf(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function fieldPath(segments: readonly string[]): string {
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path === '' ? segment : `${path}.${segment}`), '');
}

function describeError(failure: ErrorObject, document: Document, lineOf: (offset: number) => number, schemaPath: string): BlockProblem {
  const segments = segmentsOf(failure.instancePath);
  const params = failure.params as Record<string, unknown>;
  const fix = `Correct the YAML block to match ${schemaPath}`;
  if (failure.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    const path = fieldPath([...segments, params['missingProperty']]);
    return { line: locate(document, segments, lineOf), message: `field ${path} is required but missing`, fix: `Add ${path}` };
  }
  if (failure.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
    const name = params['additionalProperty'];
    const path = fieldPath([...segments, name]);
    const declared = Object.keys((failure.parentSchema?.['properties'] as Record<string, unknown> | undefined) ?? {});
    const suggestion = closest(name, declared);
    return {
      line: locate(document, [...segments, name], lineOf),
      message: `field ${path} is not in the schema`,
      fix: suggestion === undefined ? `Remove it; ${schemaPath} declares ${declared.join(', ') || 'no fields'} here` : `Did you mean ${fieldPath([...segments, suggestion])}?`,
    };
  }
  const allowed = Array.isArray(params['allowedValues']) ? `: ${(params['allowedValues'] as unknown[]).map((item) => JSON.stringify(item)).join(', ')}` : '';
  const path = segments.length === 0 ? 'the resource' : `field ${fieldPath(segments)}`;
  return { line: locate(document, segments, lineOf), message: `${path} ${failure.message ?? 'is invalid'}${allowed}`, fix };
}

/** The 1-based block line of the deepest node of `segments` found in the document (its key, for a map entry). */
function locate(document: Document, segments: readonly string[], lineOf: (offset: number) => number): number {
  let node: unknown = document.contents;
  let line = nodeLine(node, lineOf) ?? 1;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (pair === undefined) break;
      line = nodeLine(pair.key, lineOf) ?? line;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
      line = nodeLine(node, lineOf) ?? line;
    } else {
      break;
    }
  }
  return line;
}

function nodeLine(node: unknown, lineOf: (offset: number) => number): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0] === undefined ? undefined : lineOf(range[0]);
}
