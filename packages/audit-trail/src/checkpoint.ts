import { createHmac, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '@12-factor-agentops/approval-gates';
import { isWellFormed } from './entry.ts';

/** The signature schemes a checkpoint can carry. */
export type CheckpointAlgorithm = 'hmac-sha256' | 'ed25519';

/** What a checkpoint vouches for: the log named `logId` had `size` entries, ending in `headHash`, with Merkle root `rootHash`. */
export interface LogHead {
  /** The name of the log, so that a checkpoint of one log is never taken for another's signed with the same key. */
  readonly logId: string;
  readonly size: number;
  readonly headHash: string;
  readonly rootHash: string;
  readonly at: string;
}

/** A signed log head. Kept apart from the log, it is what makes truncation and rewriting detectable. */
export interface SignedCheckpoint extends LogHead {
  readonly algorithm: CheckpointAlgorithm;
  readonly signature: string;
}

/** Checks checkpoint signatures. Holding only a verifier cannot forge a checkpoint with Ed25519; with HMAC it can. */
export interface CheckpointVerifier {
  readonly algorithm: CheckpointAlgorithm;
  verify(message: string, signature: string): boolean;
}

/** Signs checkpoints, and checks its own signatures. */
export interface CheckpointSigner extends CheckpointVerifier {
  sign(message: string): string;
}

/** Thrown for a key that cannot sign checkpoints safely. */
export class InvalidCheckpointKey extends Error {
  override readonly name = 'InvalidCheckpointKey';
}

/** Thrown when a checkpoint cannot be trusted: bad signature, wrong algorithm, malformed fields. */
export class CheckpointRejected extends Error {
  override readonly name: string = 'CheckpointRejected';
  constructor(
    readonly size: number | null,
    readonly reason: string,
  ) {
    super(`checkpoint${size === null ? '' : ` at size ${size}`} rejected: ${reason}`);
  }
}

/**
 * Thrown when a checkpoint's head matches the log but its Merkle root is not the log's root at
 * that size: it was signed over a root no trail computed, and vouches for nothing.
 */
export class CheckpointRootMismatch extends CheckpointRejected {
  override readonly name = 'CheckpointRootMismatch';
  constructor(
    size: number,
    readonly signedRoot: string,
    readonly calculatedRoot: string,
  ) {
    super(size, `its head hash matches this log, but its Merkle root ${signedRoot} is not the root of ${size === 0 ? 'an empty log' : `entries 0..${size - 1}`}, ` +
      `${calculatedRoot}: it was signed over a root that no trail computed for this log, so no inclusion proof checked against it can be trusted`);
  }
}

// A fixed prefix keeps a checkpoint signature from being valid for any other message the key signs.
const MESSAGE_PREFIX = 'audit-trail checkpoint v2\n';
const HEX_64 = /^[0-9a-f]{64}$/;

/** The exact bytes that are signed: a fixed prefix, then the canonical JSON of the head and algorithm. */
export function checkpointMessage(head: LogHead, algorithm: CheckpointAlgorithm): string {
  const { logId, size, headHash, rootHash, at } = head;
  return MESSAGE_PREFIX + canonicalJson({ algorithm, at, headHash, logId, rootHash, size });
}

/** Signs `head` with `signer`. */
export function signCheckpoint(head: LogHead, signer: CheckpointSigner): SignedCheckpoint {
  const { logId, size, headHash, rootHash, at } = head;
  return { logId, size, headHash, rootHash, at, algorithm: signer.algorithm, signature: signer.sign(checkpointMessage(head, signer.algorithm)) };
}

/** Why `value` cannot name a log, or undefined: an id is 1 to 256 characters, none of them control characters. */
export function logIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) return 'is not a string of 1 to 256 characters';
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  return /[\u0000-\u001f\u007f-\u009f]/.test(value) || !isWellFormed(value) ? 'has a control character or a lone surrogate' : undefined;
}

/**
 * Throws `CheckpointRejected` unless `checkpoint` is well formed, signed by the key behind
 * `verifier`, and names the log `logId`.
 */
export function verifyCheckpoint(checkpoint: SignedCheckpoint, verifier: CheckpointVerifier, logId: string): void {
  const problem = checkpointShapeProblem(checkpoint);
  if (problem !== undefined) throw new CheckpointRejected(sizeOf(checkpoint), problem);
  if (checkpoint.algorithm !== verifier.algorithm) {
    throw new CheckpointRejected(checkpoint.size, `signed with ${checkpoint.algorithm}, but the verifier checks ${verifier.algorithm}`);
  }
  if (!verifier.verify(checkpointMessage(checkpoint, checkpoint.algorithm), checkpoint.signature)) {
    throw new CheckpointRejected(checkpoint.size, `the ${checkpoint.algorithm} signature does not match: the checkpoint was altered or signed with another key`);
  }
  // Checked after the signature, so that the id named in the message is one the key signed.
  if (checkpoint.logId !== logId) {
    throw new CheckpointRejected(checkpoint.size, `it was signed for log ${JSON.stringify(checkpoint.logId)}, not for ${JSON.stringify(logId)}, the log being verified: ` +
      "keep each log's checkpoints apart, or verify these lines as the log the checkpoint names");
  }
}

/** Reads a checkpoint from one stored line; throws `CheckpointRejected` when a field is missing or wrong. */
export function parseCheckpoint(line: string): SignedCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new CheckpointRejected(null, 'the stored line is not valid JSON');
  }
  const problem = checkpointShapeProblem(value);
  if (problem !== undefined) throw new CheckpointRejected(sizeOf(value), problem);
  const { logId, size, headHash, rootHash, at, algorithm, signature } = value as SignedCheckpoint;
  return { logId, size, headHash, rootHash, at, algorithm, signature };
}

function checkpointShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'it is not an object';
  const c = value as Record<string, unknown>;
  const logId = logIdProblem(c.logId);
  if (logId !== undefined) return `field "logId" ${logId}`;
  if (!Number.isSafeInteger(c.size) || (c.size as number) < 0) return 'field "size" is not a whole number of 0 or more';
  if (typeof c.headHash !== 'string' || !HEX_64.test(c.headHash)) return 'field "headHash" is not 64 lowercase hex digits';
  if (typeof c.rootHash !== 'string' || !HEX_64.test(c.rootHash)) return 'field "rootHash" is not 64 lowercase hex digits';
  if (typeof c.at !== 'string') return 'field "at" is not a string';
  if (c.algorithm !== 'hmac-sha256' && c.algorithm !== 'ed25519') return 'field "algorithm" is not "hmac-sha256" or "ed25519"';
  if (typeof c.signature !== 'string') return 'field "signature" is not a string';
  const problem = signatureEncodingProblem(c.signature, c.algorithm);
  return problem === undefined ? undefined : `field "signature" ${problem}`;
}

// The size of a checkpoint that may be malformed, for the message that rejects it.
function sizeOf(value: unknown): number | null {
  const size = typeof value === 'object' && value !== null ? (value as { size?: unknown }).size : undefined;
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : null;
}

const SIGNATURE_BYTES: Readonly<Record<CheckpointAlgorithm, number>> = { 'hmac-sha256': 32, ed25519: 64 };
const BASE64_DIGIT = /^[A-Za-z0-9+/]$/;
const PADDED_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Why `text` is not the padded base64 (RFC 4648 section 4) that signers write for an
 * `algorithm` signature, or undefined. Node's decoder skips whitespace and junk, takes base64url
 * digits, missing padding and stray low bits, so one signature would have many spellings; a
 * checkpoint is accepted with the one spelling only.
 */
function signatureEncodingProblem(text: string, algorithm: CheckpointAlgorithm): string | undefined {
  const bytes = SIGNATURE_BYTES[algorithm];
  const length = 4 * Math.ceil(bytes / 3);
  if (!PADDED_BASE64.test(text)) {
    let end = 0;
    while (end < text.length && BASE64_DIGIT.test(text[end] as string)) end++;
    for (let padding = 0; padding < 2 && text[end] === '='; padding++) end++;
    return `has character ${JSON.stringify(text[end])} at position ${end}, which is not standard base64 (A-Z, a-z, 0-9, + and /, padded with =)`;
  }
  if (text.length !== length) return `is ${text.length} characters; the base64 of a ${bytes}-byte ${algorithm} signature is ${length}`;
  const decoded = Buffer.from(text, 'base64');
  if (decoded.length !== bytes) return `is ${length} characters but decodes to ${decoded.length} bytes; ${algorithm} signatures are ${bytes} bytes`;
  if (decoded.toString('base64') !== text) return 'is not canonical base64: its last digit carries bits that are not part of any byte';
  return undefined;
}

// The signature's bytes, or undefined when it is not written exactly as a signer writes it.
function decodeSignature(text: string, algorithm: CheckpointAlgorithm): Buffer | undefined {
  return signatureEncodingProblem(text, algorithm) === undefined ? Buffer.from(text, 'base64') : undefined;
}

/**
 * Signs with HMAC-SHA256 under `key` (at least 32 bytes). Whoever can verify can also sign:
 * keep the key out of reach of whoever can rewrite the log, or use Ed25519.
 */
export function hmacSha256Signer(key: Uint8Array): CheckpointSigner {
  if (key.length < 32) throw new InvalidCheckpointKey(`an HMAC-SHA256 checkpoint key needs at least 32 bytes, got ${key.length}`);
  const secret = Buffer.from(key);
  const mac = (message: string): Buffer => createHmac('sha256', secret).update(message).digest();
  return {
    algorithm: 'hmac-sha256',
    sign: (message) => mac(message).toString('base64'),
    verify: (message, signature) => {
      const given = decodeSignature(signature, 'hmac-sha256');
      return given !== undefined && timingSafeEqual(given, mac(message));
    },
  };
}

/** Signs with an Ed25519 private key; it verifies with the matching public key. */
export function ed25519Signer(privateKey: KeyObject): CheckpointSigner {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new InvalidCheckpointKey(`ed25519Signer needs an Ed25519 private key, got ${describeKey(privateKey)}`);
  }
  const verifier = ed25519Verifier(createPublicKey(privateKey));
  return { ...verifier, sign: (message) => sign(null, Buffer.from(message), privateKey).toString('base64') };
}

/** Checks Ed25519 checkpoint signatures with a public key; it cannot sign. */
export function ed25519Verifier(publicKey: KeyObject): CheckpointVerifier {
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519') {
    throw new InvalidCheckpointKey(`ed25519Verifier needs an Ed25519 public key, got ${describeKey(publicKey)}`);
  }
  return {
    algorithm: 'ed25519',
    verify: (message, signature) => {
      const given = decodeSignature(signature, 'ed25519');
      return given !== undefined && verify(null, Buffer.from(message), publicKey, given);
    },
  };
}

function describeKey(key: KeyObject): string {
  return `a ${key.type} key${key.asymmetricKeyType === undefined ? '' : ` (${key.asymmetricKeyType})`}`;
}
