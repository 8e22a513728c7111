// A deterministic stand-in for an embedding model: each lower-cased word is hashed into one of
// 64 dimensions (feature hashing). It knows nothing of meaning; it only lets the tests run the
// vector path (storage, cosine in SQL, ordering) with no model and no network.
import { createHash } from 'node:crypto';
import type { Embedder } from '../../src/index.ts';

export const DIMENSIONS = 64;

export const hashingEmbedder: Embedder = async (text) => {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (word.length < 3) continue;
    const digest = createHash('sha256').update(word).digest();
    const index = digest.readUInt16BE(0) % DIMENSIONS;
    vector[index] = (vector[index] ?? 0) + ((digest[2] ?? 0) % 2 === 0 ? 1 : -1);
  }
  return vector;
};
