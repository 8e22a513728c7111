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
import { openFixture, signer, textLines } from './support.ts';

const head: LogHead = { size: 40, headHash: 'a1'.repeat(32), rootHash: 'b2'.repeat(32), at: '2026-01-05T09:00:00.000Z' };
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

describe('signed checkpoints', () => {
  it.each([
    ['HMAC-SHA256', signer, signer],
    ['Ed25519', ed25519Signer(privateKey), ed25519Verifier(publicKey)],
  ])('%s: verifies an untouched checkpoint and rejects one with any field changed', (_name, sign, verifier) => {
    const checkpoint = signCheckpoint(head, sign);
    expect(() => verifyCheckpoint(checkpoint, verifier)).not.toThrow();
    for (const changed of [{ size: 39 }, { headHash: 'a2'.repeat(32) }, { rootHash: 'b3'.repeat(32) }, { at: '2026-01-06T09:00:00.000Z' }]) {
      expect(() => verifyCheckpoint({ ...checkpoint, ...changed }, verifier)).toThrow(CheckpointRejected);
    }
  });

  it('rejects a checkpoint signed with another key, naming its size', () => {
    const other = signCheckpoint(head, hmacSha256Signer(Buffer.alloc(32, 0x01)));
    expect(() => verifyCheckpoint(other, signer)).toThrow(
      'checkpoint at size 40 rejected: the hmac-sha256 signature does not match: the checkpoint was altered or signed with another key',
    );
  });

  it('rejects a checkpoint whose algorithm is not the verifier\'s', () => {
    expect(() => verifyCheckpoint(signCheckpoint(head, signer), ed25519Verifier(publicKey))).toThrow('signed with hmac-sha256, but the verifier checks ed25519');
  });

  it('lets a holder of the Ed25519 public key verify without being able to sign', () => {
    const verifier = ed25519Verifier(publicKey);
    expect(verifier).not.toHaveProperty('sign');
    expect(() => verifyCheckpoint(signCheckpoint(head, ed25519Signer(privateKey)), verifier)).not.toThrow();
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
      expect(() => verifyRecordInclusion(lines[index] as string, trail.proveInclusion(index, checkpoint.size), checkpoint, signer)).not.toThrow();
    }
    expect(trail.proveInclusion(6).path).toHaveLength(4);
  });

  it('rejects an edited record, a proof for another size, and a forged checkpoint', async () => {
    const { lines, trail } = await fixture();
    const checkpoint = await trail.checkpoint();
    const proof = trail.proveInclusion(6, checkpoint.size);
    const line = lines[6] as string;
    expect(() => verifyRecordInclusion(line.replace('plan-6', 'plan-7'), proof, checkpoint, signer)).toThrow(RootMismatch);
    expect(() => verifyRecordInclusion(line, trail.proveInclusion(6, 9), checkpoint, signer)).toThrow(
      new MerkleProofError('the proof is for tree size 9, the checkpoint for tree size 11; ask for a proof at size 11'),
    );
    expect(() => verifyRecordInclusion(line, proof, { ...checkpoint, rootHash: trail.rootHash(9) }, signer)).toThrow(CheckpointRejected);
    expect(() => verifyRecordInclusion('not a line', proof, checkpoint, signer)).toThrow('the record is not a well-formed audit line');
  });
});
