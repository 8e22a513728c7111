import { InvalidUtf8, decodeUtf8Exact } from '@12-factor-agentops/core';
import { canonicalJson } from '@12-factor-agentops/approval-gates';
import { CheckpointRejected, parseCheckpoint, type SignedCheckpoint } from './checkpoint.ts';

/** How a checkpoint store writes a checkpoint: the canonical JSON of its fields, one line. */
export function checkpointLine(checkpoint: SignedCheckpoint): string {
  const { logId, size, headHash, rootHash, at, algorithm, signature } = checkpoint;
  return canonicalJson({ algorithm, at, headHash, logId, rootHash, signature, size });
}

/**
 * Reads a checkpoint back from the bytes of its stored line; throws `CheckpointRejected` for a
 * malformed line, bytes that are not UTF-8 included. `where` names the line in the message.
 */
export function readCheckpointLine(line: Uint8Array, where: string, offset?: number): SignedCheckpoint {
  try {
    return parseCheckpoint(decodeUtf8Exact(line, where, offset));
  } catch (error) {
    if (error instanceof InvalidUtf8) throw new CheckpointRejected(null, error.message);
    throw error;
  }
}
