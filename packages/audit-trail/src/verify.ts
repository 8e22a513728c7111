import { CheckpointRejected, CheckpointRootMismatch, verifyCheckpoint, type CheckpointVerifier, type SignedCheckpoint } from './checkpoint.ts';
import { MerkleTree } from './merkle.ts';
import { GENESIS_HASH, LOWER_HEX_64, entryHash, lineText, parseEntryBody, splitLine, type AuditEntry, type IntentRecord, type NotUtf8, type StoredLine } from './entry.ts';

/** An intent with no outcome after it: the tool may or may not have run (a crash, or a call still running). */
export interface UnfinishedCall {
  readonly index: number;
  readonly callId: string;
  readonly tool: string;
  readonly actor: string;
  readonly at: string;
}

/** What is wrong at `index`, the first position that does not follow from the entries before it. */
export type ChainProblem =
  | { readonly kind: 'invalid-utf8'; readonly index: number; readonly offset: number; readonly message: string }
  | { readonly kind: 'malformed'; readonly index: number; readonly reason: string; readonly message: string }
  | { readonly kind: 'hash-mismatch'; readonly index: number; readonly expected: string; readonly calculated: string; readonly message: string }
  | { readonly kind: 'index-mismatch'; readonly index: number; readonly found: number; readonly message: string }
  | { readonly kind: 'broken-link'; readonly index: number; readonly expected: string; readonly found: string; readonly message: string }
  | { readonly kind: 'call-sequence'; readonly index: number; readonly reason: string; readonly message: string }
  | { readonly kind: 'rewritten'; readonly index: number; readonly checkpointSize: number; readonly expected: string; readonly calculated: string; readonly message: string }
  | { readonly kind: 'truncated'; readonly index: number; readonly checkpointSize: number; readonly message: string };

/** The log verified: `size` entries ending in `headHash`, anchored by `checkpointsChecked` checkpoints. */
export interface ChainIntact {
  readonly ok: true;
  readonly size: number;
  readonly headHash: string;
  readonly checkpointsChecked: number;
  readonly unfinishedCalls: readonly UnfinishedCall[];
}

/** The log failed at `firstBadIndex`; entries before it verified, and their unfinished calls are listed. */
export interface ChainBroken {
  readonly ok: false;
  readonly firstBadIndex: number;
  readonly problem: ChainProblem;
  readonly unfinishedCalls: readonly UnfinishedCall[];
}

export type VerificationReport = ChainIntact | ChainBroken;

/** Trusted checkpoints (kept apart from the log), the verifier for their signatures, and the id of the log they must name. */
export interface VerifyOptions {
  readonly checkpoints?: readonly SignedCheckpoint[];
  readonly verifier?: CheckpointVerifier;
  /** The id the trail signs into this log's checkpoints (`AuditTrailOptions.logId`); needed with `checkpoints`. */
  readonly logId?: string;
}

/**
 * Verifies stored lines from entry 0: that each is well-formed UTF-8, framing, each entry's hash
 * over its exact bytes, its index, its link to the entry before, and that each outcome closes an
 * open intent; and each checkpoint's head and Merkle root at its size. Reports the first bad
 * position. Throws `CheckpointRejected` for a checkpoint that cannot vouch for anything (bad
 * signature, another log's, a root its head contradicts, or contradicted by another checkpoint).
 */
export function verifyChain(lines: readonly StoredLine[], options: VerifyOptions = {}): VerificationReport {
  return verifyEntries(lines, options).report;
}

/** Receives each entry that verified, in order, with its hash. */
export type EntryVisitor = (entry: AuditEntry, hash: string) => void;

/** `verifyChain`, handing each entry that verified to `visit`; also returns the Merkle tree of the entries that verified. */
export function verifyEntries(lines: readonly StoredLine[], options: VerifyOptions, visit?: EntryVisitor): { readonly report: VerificationReport; readonly tree: MerkleTree } {
  const checkpoints = trustedCheckpoints(options);
  const calls = new CallLedger();
  const tree = new MerkleTree();
  let prevHash = GENESIS_HASH;
  let next = 0;
  // The latest checkpoint the log matched; null stands for the empty log, whose head needs none.
  let anchor: SignedCheckpoint | null = null;
  // The first checkpoint whose head the log does not have: a rewrite, unless a later checkpoint the log matches contradicts it.
  let unmatched: { readonly checkpoint: SignedCheckpoint; readonly logHead: string; readonly problem: ChainProblem; readonly unfinished: UnfinishedCall[] } | undefined;
  let problem: ChainProblem | undefined;
  for (let index = 0; problem === undefined; index++) {
    while (checkpoints[next]?.size === index) {
      const checkpoint = checkpoints[next++] as SignedCheckpoint;
      if (checkpoint.headHash !== prevHash) {
        if ((anchor?.size ?? 0) === index) throw contradicted(checkpoint, prevHash, anchor);
        unmatched ??= { checkpoint, logHead: prevHash, problem: rewritten(anchor?.size ?? 0, checkpoint, prevHash), unfinished: calls.unfinished() };
      } else if (unmatched !== undefined) {
        throw contradicted(unmatched.checkpoint, unmatched.logHead, checkpoint);
      } else {
        const root = tree.root(index).toString('hex');
        if (checkpoint.rootHash !== root) throw new CheckpointRootMismatch(index, checkpoint.rootHash, root);
        anchor = checkpoint;
      }
    }
    if (index === lines.length) break;
    const checked = checkEntry(lines[index] as StoredLine, index, prevHash, calls, visit);
    if (typeof checked === 'string') {
      prevHash = checked;
      tree.appendHex(checked);
    } else {
      problem = checked;
    }
  }
  const last = checkpoints[checkpoints.length - 1];
  let report: VerificationReport;
  if (unmatched !== undefined) report = broken(unmatched.problem, unmatched.unfinished);
  else if (problem !== undefined) report = broken(problem, calls.unfinished());
  else if (last !== undefined && last.size > lines.length) report = broken(truncated(lines.length, last.size), calls.unfinished());
  else report = { ok: true, size: lines.length, headHash: prevHash, checkpointsChecked: checkpoints.length, unfinishedCalls: calls.unfinished() };
  return { report, tree };
}

// The checkpoints, sorted by size, once each has passed its checks; throws `CheckpointRejected` for the first that fails.
function trustedCheckpoints(options: VerifyOptions): SignedCheckpoint[] {
  const checkpoints = [...(options.checkpoints ?? [])].sort((a, b) => a.size - b.size);
  for (const checkpoint of checkpoints) {
    if (options.verifier === undefined) {
      throw new CheckpointRejected(checkpoint.size, 'checkpoints were given without a verifier; pass the verifier that matches their signer');
    }
    if (options.logId === undefined) {
      throw new CheckpointRejected(checkpoint.size, 'checkpoints were given without the id of the log they should name; pass logId, the id the trail signs into them');
    }
    verifyCheckpoint(checkpoint, options.verifier, options.logId);
  }
  return checkpoints;
}

// Two signed checkpoints disagree about the same stretch of this log: `witness` (null: the empty
// log) matches the log and vouches for the size where `checkpoint` records another head.
function contradicted(checkpoint: SignedCheckpoint, logHead: string, witness: SignedCheckpoint | null): CheckpointRejected {
  if (witness === null) {
    return new CheckpointRejected(checkpoint.size, `it records head ${short(checkpoint.headHash)} for an empty log, whose head is always 64 zeros: no trail signs that, so it was signed with the key some other way`);
  }
  return new CheckpointRejected(checkpoint.size,
    `it records head ${short(checkpoint.headHash)} at size ${checkpoint.size}, where this log has ${short(logHead)}, and the checkpoint at size ${witness.size}, ` +
      'which this log matches, vouches for that head: the key signed two different histories of this log (a second writer with its own copy, or a checkpoint forged with the key)');
}

// #region verify-entry
// Returns the entry's hash when it follows from its predecessor, or the first problem found.
function checkEntry(line: StoredLine, index: number, prevHash: string, calls: CallLedger, visit: EntryVisitor | undefined): ChainProblem | string {
  const text = lineText(line);
  if (typeof text !== 'string') return notUtf8(index, text);
  const parts = splitLine(text);
  if (typeof parts === 'string') return malformed(index, parts);
  const calculated = entryHash(parts.body);
  if (calculated !== parts.storedHash) {
    if (!LOWER_HEX_64.test(parts.storedHash)) return malformed(index, 'the stored hash is not 64 lowercase hex digits');
    return { kind: 'hash-mismatch', index, expected: parts.storedHash, calculated,
      message: `entry ${index}: stored hash ${short(parts.storedHash)} but its bytes hash to ${short(calculated)}: the entry was edited after it was written` };
  }
  const entry = parseEntryBody(parts.body);
  if (typeof entry === 'string') return malformed(index, entry);
  if (entry.index !== index) return indexMismatch(index, entry.index);
  if (entry.prevHash !== prevHash) {
    return { kind: 'broken-link', index, expected: prevHash, found: entry.prevHash,
      message: `entry ${index} links to ${short(entry.prevHash)} but the entry before it hashes to ${short(prevHash)}: that entry was replaced, or this one forged` };
  }
  const sequence = calls.record(entry);
  if (sequence !== undefined) return { kind: 'call-sequence', index, reason: sequence, message: `entry ${index}: ${sequence}` };
  visit?.(entry, calculated);
  return calculated;
}
// #endregion verify-entry

function notUtf8(index: number, { offset, cause }: NotUtf8): ChainProblem {
  const what = cause === 'bytes'
    ? `the bytes of its line from offset ${offset} are not well-formed UTF-8, so no writer of this log produced them: the line was altered or damaged`
    : `its text has a lone surrogate at byte offset ${offset}, which no UTF-8 bytes encode, so no writer of this log produced it: the line was altered`;
  return { kind: 'invalid-utf8', index, offset, message: `entry ${index}: ${what} where it is stored` };
}

function malformed(index: number, reason: string): ChainProblem {
  return { kind: 'malformed', index, reason, message: `entry ${index} is not a well-formed audit line: ${reason}` };
}

function indexMismatch(index: number, found: number): ChainProblem {
  const deleted = found === index + 1 ? `entry ${index} was deleted` : `entries ${index}..${found - 1} were deleted`;
  const what = found > index ? `${deleted}, or the log was reordered` : 'an entry was inserted before it, or the log was reordered';
  return { kind: 'index-mismatch', index, found, message: `position ${index} holds entry ${found}: ${what}` };
}

function rewritten(anchoredSize: number, checkpoint: SignedCheckpoint, calculated: string): ChainProblem {
  return { kind: 'rewritten', index: anchoredSize, checkpointSize: checkpoint.size, expected: checkpoint.headHash, calculated,
    message: `entries ${anchoredSize}..${checkpoint.size - 1} do not match the checkpoint signed at size ${checkpoint.size}: ` +
      `it records head ${short(checkpoint.headHash)}, the log has ${short(calculated)}; one of them was rewritten and the hashes after it recomputed` };
}

function truncated(size: number, checkpointSize: number): ChainProblem {
  return { kind: 'truncated', index: size, checkpointSize,
    message: `the log holds ${size} entries but a checkpoint vouches for ${checkpointSize}: ${
      checkpointSize === size + 1 ? `entry ${size} was` : `entries ${size}..${checkpointSize - 1} were`} removed` };
}

function broken(problem: ChainProblem, unfinishedCalls: readonly UnfinishedCall[]): ChainBroken {
  return { ok: false, firstBadIndex: problem.index, problem, unfinishedCalls };
}

function short(hex: string): string {
  return `${hex.slice(0, 12)}…`;
}

// Tracks the intents still open: an outcome must close one, and an intent may not reuse the id of
// a call still open. Only open calls are kept, so memory follows the calls in flight, not the log.
class CallLedger {
  readonly #open = new Map<string, IntentRecord & { readonly index: number }>();

  record(entry: AuditEntry): string | undefined {
    if (entry.kind === 'intent') {
      const open = this.#open.get(entry.callId);
      if (open !== undefined) return `call ${entry.callId} already has an open intent at entry ${open.index}`;
      this.#open.set(entry.callId, entry);
    } else if (entry.kind === 'outcome') {
      const intent = this.#open.get(entry.callId);
      if (intent === undefined) return `the outcome of call ${entry.callId} closes no open intent`;
      if (intent.tool !== entry.tool) return `the outcome of call ${entry.callId} names tool ${entry.tool}, its intent ${intent.tool}`;
      this.#open.delete(entry.callId);
    }
    return undefined;
  }

  unfinished(): UnfinishedCall[] {
    return [...this.#open.values()].map(({ index, callId, tool, actor, at }) => ({ index, callId, tool, actor, at }));
  }
}

// For a follower that verifies a growing log entry by entry (the checkpointer).
export { CallLedger, checkEntry };
