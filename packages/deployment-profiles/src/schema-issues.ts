import type { ErrorObject } from 'ajv';
import type { FieldIssue } from './errors.ts';

/** A schema violation located by path segments (`['spec', 'tools', 2]`), with a message for people. */
export interface LocatedIssue {
  readonly segments: readonly (string | number)[];
  readonly message: string;
}

/** `['spec', 'tools', 2, 'name']` → `spec.tools[2].name`. */
export function formatFieldPath(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}

/**
 * Turns Ajv's errors into one issue per field: the path points at the field itself (a
 * missing or unknown property is named, not its parent), messages say what is allowed and
 * what came in, and an error repeated by several schema branches is reported once.
 */
export function locateSchemaErrors(errors: readonly ErrorObject[]): LocatedIssue[] {
  const seen = new Set<string>();
  const issues: LocatedIssue[] = [];
  for (const error of errors) {
    // A failed oneOf/anyOf only summarises the branch errors already listed.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    const issue = locate(error);
    const key = `${formatFieldPath(issue.segments)}\u0000${issue.message}`;
    if (!seen.has(key)) issues.push(issue);
    seen.add(key);
  }
  return issues;
}

/** Ajv's errors as `{ path, message }` pairs. */
export function schemaIssues(errors: readonly ErrorObject[]): FieldIssue[] {
  return locateSchemaErrors(errors).map((issue) => ({ path: formatFieldPath(issue.segments), message: issue.message }));
}

function locate(error: ErrorObject): LocatedIssue {
  const segments: (string | number)[] =
    error.instancePath === ''
      ? []
      : error.instancePath
          .slice(1)
          .split('/')
          .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
          .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { segments: [...segments, String(params['missingProperty'])], message: 'is required' };
    case 'additionalProperties':
      return { segments: [...segments, String(params['additionalProperty'])], message: 'is not a field of this schema (misspelt, or in the wrong place)' };
    case 'enum':
      return { segments, message: `must be one of ${(params['allowedValues'] as unknown[]).map((value) => JSON.stringify(value)).join(', ')} (got ${shown(error.data)})` };
    case 'type':
      return { segments, message: `must be ${String(params['type'])} (got ${shown(error.data)})` };
    case 'pattern':
      return { segments, message: `must match ${String(params['pattern'])} (got ${shown(error.data)})` };
    default:
      return { segments, message: `${error.message ?? 'is invalid'}${error.data === undefined || typeof error.data === 'object' ? '' : ` (got ${shown(error.data)})`}` };
  }
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return JSON.stringify(value);
}
