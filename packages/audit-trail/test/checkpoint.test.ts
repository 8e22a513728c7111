import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CheckpointRejected,
  InvalidCheckpointKey,
  MerkleProofError,
  RootMismatch,
  ed25519Signer,
  ed25519Verifier,
  hmacSha256Signer,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  verifyRecordInclusion,
  type LogHead,
} from '../src/index.ts';
import { checkpointMessage } from '../src/checkpoint.ts';
import { LOG_ID, openFixture, signer, textLines } from './support.ts';

const head: LogHead = { logId: LOG_ID, size: 40, headHash: 'a1'.repeat(32), rootHash: 'b2'.repeat(32), at: '2026-01-05T09:00:00.000Z' };
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

describe('signed checkpoints', () => {
  it.each([
    ['HMAC-SHA256', signer, signer],
    ['Ed25519', ed25519Signer(privateKey), ed25519Verifier(publicKey)],
  ])('%s: verifies an untouched checkpoint and rejects one with any field changed', (_name, sign, verifier) => {
    const checkpoint = signCheckpoint(head, sign);
    expect(() => verifyCheckpoint(checkpoint, verifier, LOG_ID)).not.toThrow();
    for (const changed of [{ logId: 'agents.example/other-log' }, { size: 39 }, { headHash: 'a2'.repeat(32) }, { rootHash: 'b3'.repeat(32) }, { at: '2026-01-06T09:00:00.000Z' }]) {
      expect(() => verifyCheckpoint({ ...checkpoint, ...changed }, verifier, LOG_ID)).toThrow(CheckpointRejected);
    }
  });

  it('rejects a checkpoint signed with another key, naming its size', () => {
    const other = signCheckpoint(head, hmacSha256Signer(Buffer.alloc(32, 0x01)));
    expect(() => verifyCheckpoint(other, signer, LOG_ID)).toThrow(
      'checkpoint at size 40 rejected: the hmac-sha256 signature does not match: the checkpoint was altered or signed with another key',
    );
  });

  it('rejects a checkpoint whose algorithm is not the verifier\'s', () => {
    expect(() => verifyCheckpoint(signCheckpoint(head, signer), ed25519Verifier(publicKey), LOG_ID)).toThrow('signed with hmac-sha256, but the verifier checks ed25519');
  });

  it('lets a holder of the Ed25519 public key verify without being able to sign', () => {
    const verifier = ed25519Verifier(publicKey);
    expect(verifier).not.toHaveProperty('sign');
    expect(() => verifyCheckpoint(signCheckpoint(head, ed25519Signer(privateKey)), verifier, LOG_ID)).not.toThrow();
  });

  it('refuses keys that cannot sign checkpoints safely', () => {
    expect(() => hmacSha256Signer(Buffer.alloc(16))).toThrow(new InvalidCheckpointKey('an HMAC-SHA256 checkpoint key needs at least 32 bytes, got 16'));
    expect(() => ed25519Signer(publicKey)).toThrow('ed25519Signer needs an Ed25519 private key, got a public key (ed25519)');
    expect(() => ed25519Verifier(generateKeyPairSync('x25519').publicKey)).toThrow(InvalidCheckpointKey);
  });

  it('parses a stored checkpoint and names the field that is wrong in a malformed one', () => {
    const checkpoint = signCheckpoint(head, signer);
    expect(parseCheckpoint(JSON.stringify(checkpoint))).toEqual(checkpoint);
    expect(() => parseCheckpoint(JSON.stringify({ ...checkpoint, size: -1 }))).toThrow('field "size" is not a whole number of 0 or more');
    expect(() => parseCheckpoint('{"size":')).toThrow('the stored line is not valid JSON');
    const { logId: _logId, ...unnamed } = checkpoint;
    expect(() => parseCheckpoint(JSON.stringify(unnamed))).toThrow('checkpoint at size 40 rejected: field "logId" is not a string of 1 to 256 characters');
    expect(() => parseCheckpoint(JSON.stringify({ ...checkpoint, logId: 'a\u0000b' }))).toThrow('field "logId" has a control character or a lone surrogate');
  });
});

describe('signature encoding', () => {
  const hmac = signCheckpoint(head, signer);
  const ed = signCheckpoint(head, ed25519Signer(privateKey));
  // Flips the unused low bits of the last base64 digit: lenient decoders give the same bytes.
  const lowBitsSet = (signature: string): string => {
    const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const data = signature.replace(/=+$/, '');
    const last = digits.indexOf(data.at(-1) as string);
    return `${data.slice(0, -1)}${digits[last ^ (signature.endsWith('==') ? 0b1111 : 0b11)] as string}${signature.slice(data.length)}`;
  };

  it.each([
    ['junk after the padding', `${hmac.signature}junk`, 'has character "j" at position 44, which is not standard base64 (A-Z, a-z, 0-9, + and /, padded with =)'],
    ['four more digits after the padding', `${hmac.signature}AAAA`, 'has character "A" at position 44, which is not standard base64'],
    ['a trailing newline', `${hmac.signature}\n`, 'has character "\\n" at position 44, which is not standard base64'],
    ['a leading space', ` ${hmac.signature}`, 'has character " " at position 0, which is not standard base64'],
    ['a space inside', `${hmac.signature.slice(0, 20)} ${hmac.signature.slice(20)}`, 'has character " " at position 20, which is not standard base64'],
    ['base64url digits', `-${hmac.signature.slice(1)}`, 'has character "-" at position 0, which is not standard base64'],
    ['the padding left out', hmac.signature.replace(/=+$/, ''), 'is 43 characters; the base64 of a 32-byte hmac-sha256 signature is 44'],
    ['a padding character too many', `${hmac.signature}=`, 'is 45 characters; the base64 of a 32-byte hmac-sha256 signature is 44'],
    ['a byte cut off', Buffer.from(hmac.signature, 'base64').subarray(1).toString('base64'), 'is 44 characters but decodes to 31 bytes; hmac-sha256 signatures are 32 bytes'],
    ['unused bits set in the last digit', lowBitsSet(hmac.signature), 'is not canonical base64: its last digit carries bits that are not part of any byte'],
  ])('rejects an HMAC signature with %s, before checking it', (_name, signature, reason) => {
    const altered = { ...hmac, signature };
    expect(() => verifyCheckpoint(altered, signer, LOG_ID)).toThrow(CheckpointRejected);
    expect(() => verifyCheckpoint(altered, signer, LOG_ID)).toThrow(`checkpoint at size 40 rejected: field "signature" ${reason}`);
    expect(() => parseCheckpoint(JSON.stringify(altered))).toThrow(`field "signature" ${reason}`);
    expect(signer.verify(checkpointMessage(hmac, 'hmac-sha256'), signature)).toBe(false);
  });

  it.each([
    ['junk after the padding', `${ed.signature}x`, 'has character "x" at position 88, which is not standard base64'],
    ['one padding character', ed.signature.slice(0, -1), 'is 87 characters; the base64 of a 64-byte ed25519 signature is 88'],
    ['three padding characters', `${ed.signature}=`, 'has character "=" at position 88, which is not standard base64'],
    ['unused bits set in the last digit', lowBitsSet(ed.signature), 'is not canonical base64: its last digit carries bits that are not part of any byte'],
  ])('rejects an Ed25519 signature with %s', (_name, signature, reason) => {
    const verifier = ed25519Verifier(publicKey);
    expect(() => verifyCheckpoint({ ...ed, signature }, verifier, LOG_ID)).toThrow(`checkpoint at size 40 rejected: field "signature" ${reason}`);
    expect(verifier.verify(checkpointMessage(ed, 'ed25519'), signature)).toBe(false);
  });

  it('accepts the canonical signatures it writes', () => {
    expect(hmac.signature).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(ed.signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(() => parseCheckpoint(JSON.stringify(hmac))).not.toThrow();
  });
});

describe('verifyRecordInclusion: one record, its proof and a checkpoint', () => {
  async function fixture(): Promise<{ lines: readonly string[]; trail: Awaited<ReturnType<typeof openFixture>>['trail'] }> {
    const { trail, store } = await openFixture({ checkpointEvery: 1000 });
    for (let i = 0; i < 11; i++) await trail.recordGateDecision({ event: 'plan.submitted', planId: `plan-${i}`, planHash: 'ab'.repeat(32), actor: 'planner', at: '2026-01-05T09:00:00.000Z', detail: {} });
    return { lines: textLines(await store.readLines()), trail };
  }

  it('proves a record is in the log without the rest of the log', async () => {
    const { lines, trail } = await fixture();
    const checkpoint = await trail.checkpoint();
    for (let index = 0; index < lines.length; index++) {
      expect(() => verifyRecordInclusion(lines[index] as string, trail.proveInclusion(index, checkpoint.size), checkpoint, signer, LOG_ID)).not.toThrow();
    }
    expect(trail.proveInclusion(6).path).toHaveLength(4);
  });

  it('rejects an edited record, a proof for another size, and a forged checkpoint', async () => {
    const { lines, trail } = await fixture();
    const checkpoint = await trail.checkpoint();
    const proof = trail.proveInclusion(6, checkpoint.size);
    const line = lines[6] as string;
    expect(() => verifyRecordInclusion(line.replace('plan-6', 'plan-7'), proof, checkpoint, signer, LOG_ID)).toThrow(RootMismatch);
    expect(() => verifyRecordInclusion(line, trail.proveInclusion(6, 9), checkpoint, signer, LOG_ID)).toThrow(
      new MerkleProofError('the proof is for tree size 9, the checkpoint for tree size 11; ask for a proof at size 11'),
    );
    expect(() => verifyRecordInclusion(line, proof, { ...checkpoint, rootHash: trail.rootHash(9) }, signer, LOG_ID)).toThrow(CheckpointRejected);
    expect(() => verifyRecordInclusion('not a line', proof, checkpoint, signer, LOG_ID)).toThrow('the record is not a well-formed audit line');
    expect(() => verifyRecordInclusion(line, proof, checkpoint, signer, 'agents.example/other-log')).toThrow(
      `checkpoint at size 11 rejected: it was signed for log "${LOG_ID}", not for "agents.example/other-log", the log being verified`);
  });
});
