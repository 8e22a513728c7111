import { canonicalJson } from '@12-factor-agentops/approval-gates';
import type { AuditRecord } from './entry.ts';

/**
 * The canonical JSON of `record` placed at `index` after the entry whose hash is `prevHash`: the
 * bytes `canonicalJson({ ...record, index, prevHash })` gives, written field by field. An
 * entry's keys are fixed, so their sorted order is too; only the values its shape leaves open
 * (arguments, results, gate details, routing decisions) go through the generic encoder. Expects fields of the right
 * types (the writer checks them first) and no fields beyond the entry's shape.
 */
export function encodeEntry(record: AuditRecord, index: number, prevHash: string): string {
  const start = `{"actor":${text(record.actor)},`;
  switch (record.kind) {
    case 'intent':
      return `${start}"args":${openValue('args', record.args)},"at":${text(record.at)},"callId":${text(record.callId)},` +
        `"index":${numeric('index', index)},"kind":"intent","prevHash":${text(prevHash)},"tool":${text(record.tool)}}`;
    case 'outcome':
      // Values are encoded in key order, so a bad one is reported where the generic encoder
      // would stop first. An optional key that is present counts, even when undefined.
      return `${start}"at":${text(record.at)},"callId":${text(record.callId)},"durationMs":${numeric('durationMs', record.durationMs)},` +
        `${'error' in record ? `"error":${typeof record.error === 'string' ? text(record.error) : openValue('error', record.error)},` : ''}` +
        `"index":${numeric('index', index)},"kind":"outcome","prevHash":${text(prevHash)},` +
        `${'result' in record ? `"result":${openValue('result', record.result)},` : ''}"status":${text(record.status)},"tool":${text(record.tool)}}`;
    case 'gate':
      return `${start}"at":${text(record.at)},"detail":${openValue('detail', record.detail)},"event":${text(record.event)},` +
        `"index":${numeric('index', index)},"kind":"gate","planHash":${text(record.planHash)},"planId":${text(record.planId)},` +
        `"prevHash":${text(prevHash)}}`;
    case 'routing':
      return `${start}"at":${text(record.at)},"decision":${openValue('decision', record.decision)},"decisionId":${text(record.decisionId)},` +
        `"index":${numeric('index', index)},"kind":"routing","prevHash":${text(prevHash)}}`;
  }
}

// JSON.stringify escapes only quotes, backslashes, control characters and lone surrogates. Most
// fields hold none of them, and quoting such a string as it is costs a third as much.
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function text(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

// For a finite number, String() and JSON.stringify() agree (both write -0 as 0).
function numeric(key: string, value: number): string {
  return Number.isFinite(value) ? String(value) : openValue(key, value);
}

// Arguments, results and details are mostly small trees of plain objects, arrays and finite
// numbers and strings. Those are written here without the generic encoder's bookkeeping (a
// path per value, a map of ancestors); anything else, including every value the generic encoder
// would refuse, goes to the generic encoder, which writes it or says where and why it cannot.
// On failure the value is encoded again under its key, so the error names its place in the
// entry ($.args.when, not $.when), exactly as encoding the whole entry would.
function openValue(key: string, value: unknown): string {
  const plain = plainJson(value, MAX_PLAIN_DEPTH);
  if (plain !== undefined) return plain;
  try {
    return canonicalJson(value);
  } catch (error) {
    canonicalJson({ [key]: value });
    throw error;
  }
}

// Deeper values go to the generic encoder, which also catches a cycle where it closes.
const MAX_PLAIN_DEPTH = 32;

// The bytes canonicalJson gives for `value`, or undefined where it is not sure of them.
function plainJson(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return text(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth === 0) return undefined;
      return Array.isArray(value) ? plainArray(value, depth - 1) : plainObject(value, depth - 1);
    default:
      return undefined;
  }
}

function plainArray(array: readonly unknown[], depth: number): string | undefined {
  let out = '[';
  for (let index = 0; index < array.length; index++) {
    const item = Object.hasOwn(array, index) ? plainJson(array[index], depth) : undefined;
    if (item === undefined) return undefined;
    out += index === 0 ? item : `,${item}`;
  }
  return `${out}]`;
}

function plainObject(object: object, depth: number): string | undefined {
  const prototype: unknown = Object.getPrototypeOf(object);
  if ((prototype !== Object.prototype && prototype !== null) || Object.getOwnPropertySymbols(object).length > 0) return undefined;
  const record = object as Readonly<Record<string, unknown>>;
  let out = '{';
  // Sorted as the generic encoder sorts: by UTF-16 code units.
  for (const key of Object.keys(record).sort()) {
    const item = plainJson(record[key], depth);
    if (item === undefined) return undefined;
    out += `${out.length === 1 ? '' : ','}${text(key)}:${item}`;
  }
  return `${out}}`;
}
