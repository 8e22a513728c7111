// The values a package declares as its defaults: the UPPER_SNAKE constants its src/index.ts
// exports, and the `default` of a field in one of its schemas. Constants are read by importing
// the package, not by parsing its source, so a computed or re-exported constant reads exactly
// as the package's users see it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnySchemaObject } from 'ajv';
import { runTsxScript, sourceKey } from './child-import.ts';
import { parseSchemaFile } from './schema.ts';

export type ConstantsLookup =
  | { readonly ok: true; readonly values: ReadonlyMap<string, unknown> }
  | { readonly ok: false; readonly problem: string };

export type FieldLookup = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string };

const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;

// Runs in a child process with tsx loaded: imports each index.ts named on the command line
// and reports its exported constants.
const IMPORTER = `
import { pathToFileURL } from 'node:url';
const result = {};
for (const file of process.argv.slice(1)) {
  try {
    const module = await import(pathToFileURL(file).href);
    const values = {};
    for (const [name, value] of Object.entries(module)) {
      if (${CONSTANT_NAME.toString()}.test(name) && ['number', 'string', 'boolean'].includes(typeof value)) values[name] = value;
    }
    result[file] = { ok: true, values };
  } catch (error) {
    result[file] = { ok: false, problem: String(error instanceof Error ? error.message : error).split('\\n')[0] };
  }
}
report(result);
`;

// Keyed by the content of the package's src/, so an unchanged package is imported once per
// process however many trees (or test copies) hold it, and a changed one is read again.
const cache = new Map<string, ConstantsLookup>();

function importConstants(entries: readonly string[]): Map<string, ConstantsLookup> {
  const found = new Map<string, ConstantsLookup>();
  const child = runTsxScript(IMPORTER, entries);
  const parsed = (child.result ?? {}) as Record<string, { ok: boolean; values?: Record<string, unknown>; problem?: string }>;
  const failure = child.failure;
  for (const entry of entries) {
    const result = parsed[entry];
    if (result?.ok === true) found.set(entry, { ok: true, values: new Map(Object.entries(result.values ?? {})) });
    else found.set(entry, { ok: false, problem: result?.problem ?? (failure === '' ? 'the import process gave no answer' : failure) });
  }
  return found;
}

/**
 * The constants that `packages/<name>/src/index.ts` exports, for each name, imported in one
 * child process. A package that has no index, or fails to import, gets the reason instead.
 */
export function readPackageConstants(root: string, names: readonly string[]): Map<string, ConstantsLookup> {
  const lookups = new Map<string, ConstantsLookup>();
  const pending = new Map<string, { readonly name: string; readonly key: string }>();
  for (const name of new Set(names)) {
    const srcDir = join(root, 'packages', name, 'src');
    const entry = join(srcDir, 'index.ts');
    if (!existsSync(entry)) {
      lookups.set(name, { ok: false, problem: `packages/${name} has no src/index.ts to import` });
      continue;
    }
    const key = sourceKey(srcDir);
    const cached = cache.get(key);
    if (cached === undefined) pending.set(entry, { name, key });
    else lookups.set(name, cached);
  }
  if (pending.size > 0) {
    for (const [entry, lookup] of importConstants([...pending.keys()])) {
      const { name, key } = pending.get(entry) ?? { name: '', key: '' };
      const named: ConstantsLookup = lookup.ok ? lookup : { ok: false, problem: `packages/${name}/src/index.ts could not be imported (${lookup.problem})` };
      cache.set(key, named);
      lookups.set(name, named);
    }
  }
  return lookups;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The `default` of the field at `path` (dots between property names, e.g.
 * `spec.reservation.leaseSeconds`) in a schema file of a package: a JSON Schema, or the first
 * version of a CustomResourceDefinition that has a schema.
 */
export function readSchemaDefault(file: string, text: string, path: string): FieldLookup {
  const loaded = parseSchemaFile(file, text);
  if (!loaded.ok) return { ok: false, problem: `${file} ${loaded.problem}` };
  let node: unknown =
    loaded.schema.kind === 'json-schema'
      ? loaded.schema.schema
      : loaded.schema.crds.flatMap((crd) => [...crd.versions.values()]).find((schema): schema is AnySchemaObject => schema !== undefined);
  if (node === undefined) return { ok: false, problem: `${file} has no version with a schema` };
  const walked: string[] = [];
  for (const segment of path.split('.')) {
    const properties: unknown = isObject(node) ? node['properties'] : undefined;
    const child = isObject(properties) ? properties[segment] : undefined;
    if (child === undefined) {
      const known = isObject(properties) ? Object.keys(properties) : [];
      const where = walked.length === 0 ? 'at its top level' : `under ${walked.join('.')}`;
      return { ok: false, problem: `${file} has no field '${segment}' ${where}${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}` };
    }
    walked.push(segment);
    node = child;
  }
  if (!isObject(node) || !('default' in node)) return { ok: false, problem: `the field ${path} in ${file} declares no default` };
  return { ok: true, value: node['default'] };
}
