import type { LedgerEvent } from './ledger.ts';
import { isAmount } from './usage.ts';

// One event per line, as flat JSON, so a line is readable with `tail` and `jq` and a torn
// write can only damage the last line.

/** Writes one event as one journal line, newline included. */
export function encodeEvent(event: LedgerEvent): string {
  const base = { type: event.type, at: event.at, scope: event.scope, id: event.id };
  if (event.type === 'released') return `${JSON.stringify(base)}\n`;
  const amount = { tokens: event.amount.tokens, costMinor: event.amount.costMinor, toolCalls: event.amount.toolCalls };
  const expiry = event.type === 'reserved' ? { expiresAt: event.expiresAt } : {};
  return `${JSON.stringify({ ...base, ...amount, ...expiry })}\n`;
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
  if (!isAmount(at)) return '"at" is not a time in ms';
  if (typeof scope !== 'string' || scope === '') return '"scope" is missing';
  if (typeof id !== 'string' || id === '') return '"id" is missing';
  if (type === 'released') return { type, at, scope, id };
  const { tokens, costMinor, toolCalls } = record;
  if (!isAmount(tokens) || !isAmount(costMinor) || !isAmount(toolCalls)) return 'an amount is not a non-negative safe integer';
  const amount = { tokens, costMinor, toolCalls };
  if (type === 'committed') return { type, at, scope, id, amount };
  const { expiresAt } = record;
  if (!isAmount(expiresAt)) return '"expiresAt" is not a time in ms';
  return { type, at, scope, id, amount, expiresAt };
}

/** The result of scanning a stretch of journal bytes. */
export interface JournalScan {
  readonly events: readonly LedgerEvent[];
  /** Bytes of complete lines read; the next scan starts after them. */
  readonly consumed: number;
  /** Bytes after the last newline: a line still being written, or one torn by a crash. */
  readonly trailing: number;
  /** The first complete line that is not an event, with its 1-based number and the problem. */
  readonly corrupt?: { readonly line: number; readonly problem: string };
}

/** Splits `bytes` (which start at line `firstLine`) into events; stops at the first corrupt line. */
export function scanJournal(bytes: Buffer, firstLine: number): JournalScan {
  const events: LedgerEvent[] = [];
  let start = 0;
  let line = firstLine;
  for (let end = bytes.indexOf(0x0a, start); end !== -1; end = bytes.indexOf(0x0a, start)) {
    const decoded = decodeEvent(bytes.toString('utf8', start, end));
    if (typeof decoded === 'string') return { events, consumed: start, trailing: bytes.length - start, corrupt: { line, problem: decoded } };
    events.push(decoded);
    start = end + 1;
    line++;
  }
  return { events, consumed: start, trailing: bytes.length - start };
}
