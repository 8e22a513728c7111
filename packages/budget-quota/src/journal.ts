import { InvalidUtf8, decodeUtf8Exact } from '@12-factor-agentops/core';
import { JournalWriteRefused } from './errors.ts';
import type { LedgerRecord } from './ledger.ts';
import type { CommitReceipt, ReleaseReceipt } from './outcomes.ts';
import { isTime } from './time.ts';
import { isAmount } from './usage.ts';
import type { Usage } from './usage.ts';

// One record per line, as flat JSON, so a line is readable with `tail` and `jq` and a torn
// write can only damage the last line. A compacted journal starts with a `snapshot` line that
// counts the state records after it; events follow.

/** The first line of a compacted journal: the next `records` lines are the state it saved. */
export interface SnapshotHeader {
  readonly type: 'snapshot';
  readonly records: number;
}

/** Any line of a journal. */
export type JournalRecord = LedgerRecord | SnapshotHeader;

/**
 * Writes one record as one journal line (without its newline). Throws `JournalWriteRefused`
 * when the line would not read back as the same record: no process must ever write a line
 * that every reader of the journal would then refuse.
 */
export function encodeLine(record: JournalRecord): string {
  const line = JSON.stringify(flatten(record));
  const decoded = decodeRecord(line);
  if (typeof decoded === 'string' || JSON.stringify(flatten(decoded)) !== line) {
    throw new JournalWriteRefused(record.type, typeof decoded === 'string' ? decoded : 'it would not read back as the same record');
  }
  return line;
}

/**
 * Reads one journal line back from its exact bytes; returns the problem as a string when the
 * line is not a record (not UTF-8, not JSON, a missing or out-of-range field).
 */
export function decodeLine(bytes: Buffer, path: string, line: number, offset: number): JournalRecord | string {
  let text: string;
  try {
    text = decodeUtf8Exact(bytes, `${path}, line ${line}`, offset);
  } catch (error) {
    if (error instanceof InvalidUtf8) return `the bytes from offset ${error.offset} are not valid UTF-8`;
    throw error;
  }
  return decodeRecord(text);
}

// The JSON object a record is written as: amounts as top-level fields, so `jq` reads them.
function flatten(record: JournalRecord): Record<string, unknown> {
  switch (record.type) {
    case 'snapshot':
      return { type: record.type, records: record.records };
    case 'reserved':
      return { type: record.type, at: record.at, scope: record.scope, id: record.id, ...amounts(record.amount), expiresAt: record.expiresAt };
    case 'committed':
      return { type: record.type, at: record.at, scope: record.scope, id: record.id, ...amounts(record.amount) };
    case 'released':
      return { type: record.type, at: record.at, scope: record.scope, id: record.id };
    case 'scope':
      return { type: record.type, at: record.at, scope: record.scope, window: record.window.type, windowMs: record.window.durationMs };
    case 'usage':
      return { type: record.type, at: record.at, scope: record.scope, ...amounts(record.amount), ...amounts(record.overshoot, 'overshoot') };
    case 'lease':
      return { type: record.type, scope: record.scope, id: record.id, ...amounts(record.amount), expiresAt: record.expiresAt };
    case 'receipt': {
      const { receipt } = record;
      const base = { type: record.type, scope: record.scope, id: receipt.reservationId };
      if (!('actual' in receipt)) return { ...base, outcome: 'released', late: receipt.late, older: record.older };
      return { ...base, outcome: 'committed', ...amounts(receipt.actual), ...amounts(receipt.overshoot, 'overshoot'), late: receipt.late, older: record.older };
    }
  }
}

function amounts(usage: Usage, prefix?: 'overshoot'): Record<string, number> {
  if (prefix === undefined) return { tokens: usage.tokens, costMinor: usage.costMinor, toolCalls: usage.toolCalls };
  return { overshootTokens: usage.tokens, overshootCostMinor: usage.costMinor, overshootToolCalls: usage.toolCalls };
}

/** Reads one journal line back; returns the problem as a string when the line is not a record. */
export function decodeRecord(line: string): JournalRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const fields = value as Record<string, unknown>;
  const { type, scope } = fields;
  if (type === 'snapshot') return Number.isSafeInteger(fields['records']) && (fields['records'] as number) >= 0 ? { type, records: fields['records'] as number } : '"records" is not a count';
  if (typeof type !== 'string' || !RECORD_TYPES.has(type)) return `unknown record type ${JSON.stringify(type)}`;
  if (typeof scope !== 'string' || scope === '') return '"scope" is missing';
  const at = fields['at'];
  if (type !== 'lease' && type !== 'receipt' && !isTime(at)) return '"at" is not a time in ms';
  const time = at as number;
  if (type === 'scope') {
    const window = fields['window'];
    if (window !== 'fixed' && window !== 'rolling') return '"window" is not "fixed" or "rolling"';
    if (!Number.isSafeInteger(fields['windowMs']) || (fields['windowMs'] as number) < 1) return '"windowMs" is not a duration';
    return { type, at: time, scope, window: { type: window, durationMs: fields['windowMs'] as number } };
  }
  if (type === 'usage') {
    const amount = usageOf(fields);
    const overshoot = usageOf(fields, 'overshoot');
    if (amount === undefined || overshoot === undefined) return 'an amount is not a non-negative safe integer';
    return { type, at: time, scope, amount, overshoot };
  }
  const id = fields['id'];
  if (typeof id !== 'string' || id === '') return '"id" is missing';
  if (type === 'released') return { type, at: time, scope, id };
  if (type === 'receipt') return decodeReceipt(fields, scope, id);
  const amount = usageOf(fields);
  if (amount === undefined) return 'an amount is not a non-negative safe integer';
  if (type === 'committed') return { type, at: time, scope, id, amount };
  const expiresAt = fields['expiresAt'];
  if (!isAmount(expiresAt)) return '"expiresAt" is not a time in ms';
  if (type === 'lease') return { type, scope, id, amount, expiresAt };
  if (expiresAt <= time) return '"expiresAt" is not after "at"';
  return { type: 'reserved', at: time, scope, id, amount, expiresAt };
}

const RECORD_TYPES = new Set(['reserved', 'committed', 'released', 'scope', 'usage', 'lease', 'receipt']);

function decodeReceipt(fields: Record<string, unknown>, scope: string, id: string): JournalRecord | string {
  const { outcome, late, older } = fields;
  if (typeof late !== 'boolean' || typeof older !== 'boolean') return '"late" or "older" is not true or false';
  if (outcome === 'released') {
    const receipt: ReleaseReceipt = { recorded: true, scope, reservationId: id, late };
    return { type: 'receipt', scope, receipt, older };
  }
  if (outcome !== 'committed') return '"outcome" is not "committed" or "released"';
  const actual = usageOf(fields);
  const overshoot = usageOf(fields, 'overshoot');
  if (actual === undefined || overshoot === undefined) return 'an amount is not a non-negative safe integer';
  const overshot = overshoot.tokens > 0 || overshoot.costMinor > 0 || overshoot.toolCalls > 0;
  const receipt: CommitReceipt = { recorded: true, scope, reservationId: id, actual, overshoot, overshot, late };
  return { type: 'receipt', scope, receipt, older };
}

function usageOf(fields: Record<string, unknown>, prefix?: 'overshoot'): Usage | undefined {
  const tokens = fields[prefix === undefined ? 'tokens' : 'overshootTokens'];
  const costMinor = fields[prefix === undefined ? 'costMinor' : 'overshootCostMinor'];
  const toolCalls = fields[prefix === undefined ? 'toolCalls' : 'overshootToolCalls'];
  return isAmount(tokens) && isAmount(costMinor) && isAmount(toolCalls) ? { tokens, costMinor, toolCalls } : undefined;
}
