import { canonicalJson } from '@12-factor-agentops/approval-gates';
import type { AuditRecord } from './entry.ts';

/**
 * The canonical JSON of `record` placed at `index` after the entry whose hash is `prevHash`: the
 * bytes `canonicalJson({ ...record, index, prevHash })` gives, written field by field. An
 * entry's keys are fixed, so their sorted order is too; only the values its shape leaves open
 * (arguments, results, gate details) go through the generic encoder. Expects fields of the right
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

// On failure the value is encoded again under its key, so the error names its place in the
// entry ($.args.when, not $.when), exactly as encoding the whole entry would.
function openValue(key: string, value: unknown): string {
  try {
    return canonicalJson(value);
  } catch (error) {
    canonicalJson({ [key]: value });
    throw error;
  }
}
