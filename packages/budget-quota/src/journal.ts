import { InvalidUtf8, decodeUtf8Exact } from '@12-factor-agentops/core';
import { JournalWriteRefused } from './errors.ts';
import type { LedgerEvent } from './ledger.ts';
import { isTime } from './time.ts';
import { isAmount } from './usage.ts';

// One event per line, as flat JSON, so a line is readable with `tail` and `jq` and a torn
// write can only damage the last line.

/**
 * Writes one event as one journal line (without its newline). Throws `JournalWriteRefused`
 * when the line would not read back as the same event: no process must ever write a line
 * that every reader of the journal would then refuse.
 */
export function encodeLine(event: LedgerEvent): string {
  const line = encodeEvent(event);
  const decoded = decodeEvent(line);
  if (typeof decoded === 'string' || encodeEvent(decoded) !== line) {
    throw new JournalWriteRefused(event.type, typeof decoded === 'string' ? decoded : 'it would not read back as the same event');
  }
  return line;
}

function encodeEvent(event: LedgerEvent): string {
  const base = { type: event.type, at: event.at, scope: event.scope, id: event.id };
  if (event.type === 'released') return JSON.stringify(base);
  const amount = { tokens: event.amount.tokens, costMinor: event.amount.costMinor, toolCalls: event.amount.toolCalls };
  const expiry = event.type === 'reserved' ? { expiresAt: event.expiresAt } : {};
  return JSON.stringify({ ...base, ...amount, ...expiry });
}

/**
 * Reads one journal line back from its exact bytes; returns the problem as a string when the
 * line is not an event (not UTF-8, not JSON, a missing or out-of-range field).
 */
export function decodeLine(bytes: Buffer, path: string, line: number, offset: number): LedgerEvent | string {
  let text: string;
  try {
    text = decodeUtf8Exact(bytes, `${path}, line ${line}`, offset);
  } catch (error) {
    if (error instanceof InvalidUtf8) return `the bytes from offset ${error.offset} are not valid UTF-8`;
    throw error;
  }
  return decodeEvent(text);
}

/** Reads one journal line back; returns the problem as a string when the line is not an event. */
export function decodeEvent(line: string): LedgerEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  const { type, at, scope, id } = record;
  if (type !== 'reserved' && type !== 'committed' && type !== 'released') return `unknown event type ${JSON.stringify(type)}`;
  if (!isTime(at)) return '"at" is not a time in ms';
  if (typeof scope !== 'string' || scope === '') return '"scope" is missing';
  if (typeof id !== 'string' || id === '') return '"id" is missing';
  if (type === 'released') return { type, at, scope, id };
  const { tokens, costMinor, toolCalls } = record;
  if (!isAmount(tokens) || !isAmount(costMinor) || !isAmount(toolCalls)) return 'an amount is not a non-negative safe integer';
  const amount = { tokens, costMinor, toolCalls };
  if (type === 'committed') return { type, at, scope, id, amount };
  const { expiresAt } = record;
  if (!isAmount(expiresAt) || expiresAt <= at) return '"expiresAt" is not a time in ms after "at"';
  return { type, at, scope, id, amount, expiresAt };
}
