import { hash } from 'node:crypto';
import { InvalidUtf8, decodeUtf8Exact } from '@12-factor-agentops/core';
import type { JsonValue } from '@12-factor-agentops/approval-gates';
import { encodeEntry } from './entry-json.ts';
import { routingRecordProblem, type RoutingDecisionRecord } from './routing-record.ts';

/** The `prevHash` of entry 0: no predecessor. */
export const GENESIS_HASH = '0'.repeat(64);

/** A gate decision's detail, as the approval-gates contract defines it. */
export type GateDetail = Readonly<Record<string, string | number | boolean | null>>;

/** Written before a tool runs: who asked for which tool, with which arguments. */
export interface IntentRecord {
  readonly kind: 'intent';
  readonly callId: string;
  readonly tool: string;
  readonly args: JsonValue;
  readonly actor: string;
  readonly at: string;
}

/** Written after the tool returned or threw; `callId` names the intent it closes. */
export interface OutcomeRecord {
  readonly kind: 'outcome';
  readonly callId: string;
  readonly tool: string;
  readonly status: 'succeeded' | 'failed';
  readonly durationMs: number;
  readonly result?: JsonValue;
  readonly error?: string;
  readonly actor: string;
  readonly at: string;
}

/** One decision of an approval gate (plan submitted, approval granted, gate timed out, …). */
export interface GateRecord {
  readonly kind: 'gate';
  readonly event: string;
  readonly planId: string;
  readonly planHash: string;
  readonly detail: GateDetail;
  readonly actor: string;
  readonly at: string;
}

/** What a writer hands to the chain; the chain adds the position and the link. */
export type AuditRecord = IntentRecord | OutcomeRecord | GateRecord | RoutingDecisionRecord;

/** A record at its place in the chain. */
export type AuditEntry = AuditRecord & { readonly index: number; readonly prevHash: string };

/** An entry's position, its hash and the exact line stored for it. */
export interface SealedEntry {
  readonly index: number;
  readonly hash: string;
  readonly line: string;
}

const LINE_PREFIX = '{"entry":';
const HASH_MEMBER = ',"hash":"';
const LINE_SUFFIX_LENGTH = HASH_MEMBER.length + 64 + 2;
export const LOWER_HEX_64 = /^[0-9a-f]{64}$/;

/** Thrown when a record has a field the verifier would reject; nothing is written. */
export class InvalidRecord extends Error {
  override readonly name = 'InvalidRecord';
  constructor(readonly reason: string) {
    super(`the record cannot be written: ${reason}; nothing was appended`);
  }
}

// #region chain-append
/**
 * The hash of an entry: SHA-256 over 0x00 and its canonical JSON, which is also the entry's
 * RFC 9162 Merkle leaf hash, so one hash serves both the chain and the tree.
 */
export function entryHash(body: string): string {
  return hash('sha256', `\u0000${body}`, 'hex');
}

/**
 * Places `record` at `index` after the entry whose hash is `prevHash`. The stored line is the
 * canonical JSON of `{ entry, hash }`, so the hashed bytes can be cut back out of it exactly.
 */
export function sealEntry(record: AuditRecord, index: number, prevHash: string): SealedEntry {
  const problem = recordProblem(record as unknown as Record<string, unknown>);
  if (problem !== undefined) throw new InvalidRecord(problem);
  // The canonical JSON of { ...record, index, prevHash }, written field by field (entry-json.ts).
  const body = encodeEntry(record, index, prevHash);
  const entryHashHex = entryHash(body);
  // One flat string, not a rope of pieces: a store may keep the line as long as the log.
  return { index, hash: entryHashHex, line: [LINE_PREFIX, body, HASH_MEMBER, entryHashHex, '"}'].join('') };
}
// #endregion chain-append

/**
 * A line as a store gives it back: the exact bytes it holds (a file), or text whose UTF-8
 * encoding is those bytes (memory, a text column).
 */
export type StoredLine = string | Uint8Array;

/** Where a stored line stops being well-formed UTF-8. */
export interface NotUtf8 {
  readonly offset: number;
  /** Bytes that no UTF-8 decoder accepts, or text with a lone surrogate, which no UTF-8 bytes encode. */
  readonly cause: 'bytes' | 'lone-surrogate';
}

/**
 * The text of a stored line, or where it is not well-formed UTF-8. Well-formed UTF-8 and the
 * text decoded from it encode each other exactly, so hashing the text hashes the bytes as
 * stored; a decoder that turned bad bytes into U+FFFD would let two different lines share a hash.
 */
export function lineText(line: StoredLine): string | NotUtf8 {
  if (typeof line === 'string') {
    return isWellFormed(line) ? line : { offset: loneSurrogateOffset(line), cause: 'lone-surrogate' };
  }
  try {
    return decodeUtf8Exact(line, 'a stored line');
  } catch (error) {
    if (error instanceof InvalidUtf8) return { offset: error.offset, cause: 'bytes' };
    throw error;
  }
}

/** Whether `text` has no lone surrogate. String.prototype.isWellFormed (ES2024) runs natively in Node 20; the ES2023 lib does not declare it. */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

// The UTF-8 byte offset of the first lone surrogate in `text`; requires one to be there.
function loneSurrogateOffset(text: string): number {
  let offset = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      offset += 4;
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      return offset;
    } else {
      offset += unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
    }
  }
  return offset;
}

/** A stored line cut into the hashed bytes and the hash stored beside them (64 characters, not yet checked as hex). */
export interface LineParts {
  readonly body: string;
  readonly storedHash: string;
}

/** Splits a stored line, or says why it is not one; reads only the framing, not the entry. */
export function splitLine(line: string): LineParts | string {
  if (!line.startsWith(LINE_PREFIX) || !line.endsWith('"}') || line.length < LINE_PREFIX.length + LINE_SUFFIX_LENGTH + 2) {
    return 'the line is not framed as {"entry":…,"hash":"…"}';
  }
  const suffixStart = line.length - LINE_SUFFIX_LENGTH;
  if (!line.startsWith(HASH_MEMBER, suffixStart)) {
    return 'the line does not end with a "hash" member';
  }
  // The stored hash is only compared, never decoded, so its digits are checked only when the comparison fails.
  return { body: line.slice(LINE_PREFIX.length, suffixStart), storedHash: line.slice(suffixStart + HASH_MEMBER.length, line.length - 2) };
}

/**
 * Reads an entry from its hashed bytes, or says which field is missing or has the wrong type.
 * Whether `index` and `prevHash` hold the right values is the chain's question, not this one's.
 */
export function parseEntryBody(body: string): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'the entry is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the entry is not a JSON object';
  const fields = value as Record<string, unknown>;
  if (!Number.isSafeInteger(fields.index) || (fields.index as number) < 0) return 'field "index" is not a whole number of 0 or more';
  if (typeof fields.prevHash !== 'string') return notString('prevHash');
  return recordProblem(fields) ?? (value as AuditEntry);
}

// The writer and the verifier share these checks, so nothing is written that verification would
// reject. Fields are read by name, not by a computed key: this runs once per entry verified.
function recordProblem(f: Record<string, unknown>): string | undefined {
  if (typeof f.actor !== 'string') return notString('actor');
  if (typeof f.at !== 'string') return notString('at');
  switch (f.kind) {
    case 'intent':
      if (typeof f.callId !== 'string') return notString('callId');
      if (typeof f.tool !== 'string') return notString('tool');
      return f.args === undefined ? 'field "args" is missing' : undefined;
    case 'outcome':
      if (typeof f.callId !== 'string') return notString('callId');
      if (typeof f.tool !== 'string') return notString('tool');
      if (f.status !== 'succeeded' && f.status !== 'failed') return 'field "status" is not "succeeded" or "failed"';
      if (typeof f.durationMs !== 'number' || f.durationMs < 0) return 'field "durationMs" is not a number of 0 or more';
      return f.error === undefined || typeof f.error === 'string' ? undefined : notString('error');
    case 'gate':
      if (typeof f.event !== 'string') return notString('event');
      if (typeof f.planId !== 'string') return notString('planId');
      if (typeof f.planHash !== 'string') return notString('planHash');
      return typeof f.detail === 'object' && f.detail !== null && !Array.isArray(f.detail) ? undefined : 'field "detail" is not an object';
    case 'routing':
      return routingRecordProblem(f);
    default:
      return 'field "kind" is not "intent", "outcome", "gate" or "routing"';
  }
}

function notString(field: string): string {
  return `field "${field}" is not a string`;
}
