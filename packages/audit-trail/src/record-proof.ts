import { verifyCheckpoint, type CheckpointVerifier, type SignedCheckpoint } from './checkpoint.ts';
import { entryHash, lineText, splitLine, type StoredLine } from './entry.ts';
import { MerkleProofError, verifyInclusion } from './merkle.ts';
import type { InclusionProof } from './trail.ts';

/**
 * What a reader holding one stored line runs: checks the checkpoint's signature and that it names
 * the log `logId`, then that
 * `proof` leads from the line's bytes to the checkpoint's root, without reading the rest of the
 * log. Throws `CheckpointRejected`, `MerkleProofError` or `RootMismatch`; returns nothing when
 * the record is in the log.
 */
export function verifyRecordInclusion(line: StoredLine, proof: InclusionProof, checkpoint: SignedCheckpoint, verifier: CheckpointVerifier, logId: string): void {
  verifyCheckpoint(checkpoint, verifier, logId);
  if (proof.size !== checkpoint.size) {
    throw new MerkleProofError(`the proof is for tree size ${proof.size}, the checkpoint for tree size ${checkpoint.size}; ask for a proof at size ${checkpoint.size}`);
  }
  const text = lineText(line);
  if (typeof text !== 'string') throw new MerkleProofError(`the record is not well-formed UTF-8 from byte offset ${text.offset}: it was altered`);
  const parts = splitLine(text);
  if (typeof parts === 'string') throw new MerkleProofError(`the record is not a well-formed audit line: ${parts}`);
  // The leaf is hashed from the bytes, not taken from the stored hash, so an edited record fails.
  const leaf = Buffer.from(entryHash(parts.body), 'hex');
  verifyInclusion(proof.index, proof.size, leaf, proof.path.map((node) => Buffer.from(node, 'hex')), Buffer.from(checkpoint.rootHash, 'hex'));
}
