import { hash } from 'node:crypto';

// A Merkle tree as RFC 9162 section 2.1 defines it:
// https://www.rfc-editor.org/rfc/rfc9162#section-2.1

const NODE_PREFIX = Buffer.from([0x01]);

/** The root of an empty tree: SHA-256 of no bytes. */
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/** Thrown when a proof or its inputs have the wrong shape; the message carries the numbers. */
export class MerkleProofError extends Error {
  override readonly name = 'MerkleProofError';
}

/** Thrown when a proof is well formed but leads to another root: the leaf is not in that tree. */
export class RootMismatch extends Error {
  override readonly name = 'RootMismatch';
  constructor(
    readonly expected: string,
    readonly calculated: string,
  ) {
    super(`the proof leads to root ${calculated}, expected ${expected}: the leaf is not in the tree with that root`);
  }
}

/** A leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return hash('sha256', Buffer.concat([Buffer.from([0x00]), bytes]), 'buffer');
}

// The input of a node hash, 0x01 and two 32-byte children, reused: hashing is synchronous.
const nodeInput = Buffer.alloc(65, NODE_PREFIX);

/** An interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32) return digest(Buffer.concat([NODE_PREFIX, left, right]));
  // Two 32-byte children, the case of every tree node and proof step, go into one reused input.
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return digest(nodeInput);
}

// A 'binary' (latin1) digest is one character per byte; turning it into a Buffer costs less than
// asking crypto.hash for a Buffer.
function digest(data: Uint8Array): Buffer {
  return Buffer.from(hash('sha256', data, 'binary'), 'binary');
}

/** The largest power of two smaller than `n`; requires n > 1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

interface Level {
  bytes: Buffer;
  count: number;
}

/**
 * An append-only Merkle tree over leaf hashes. An append only stores the leaf. The hash of each
 * complete power-of-two subtree is computed the first time a root or a proof needs it, then kept,
 * so every interior node is hashed once, and a root or a proof for any earlier size costs
 * O(log n) hashes more.
 */
export class MerkleTree {
  // levels[h] holds, 32 bytes each, the subtrees of 2^h leaves starting at leaf j * 2^h; levels[0]
  // holds the leaves. One growing buffer per level keeps a million leaves at 64 MB and a handful of objects.
  readonly #levels: Level[] = [{ bytes: Buffer.alloc(32 * 64), count: 0 }];

  /** The number of leaves. */
  get size(): number {
    return (this.#levels[0] as Level).count;
  }

  /** Adds a leaf hash (32 bytes) at index `size`. */
  append(leaf: Uint8Array): void {
    if (leaf.length !== 32) throw new MerkleProofError(`a leaf hash is 32 bytes, got ${leaf.length}`);
    const level = this.#room(0);
    level.bytes.set(leaf, level.count * 32);
    level.count++;
  }

  /** Adds a leaf hash given as 64 hex digits, the form the chain stores, without a buffer in between. */
  appendHex(leaf: string): void {
    const level = this.#room(0);
    if (leaf.length !== 64 || level.bytes.write(leaf, level.count * 32, 32, 'hex') !== 32) {
      throw new MerkleProofError(`a leaf hash is 64 hex digits, got ${JSON.stringify(leaf.slice(0, 80))}`);
    }
    level.count++;
  }

  /** MTH over the first `size` leaves (default: all of them); requires 0 <= size <= this.size. */
  root(size: number = this.size): Buffer {
    this.#checkSize(size);
    this.#settle();
    return size === 0 ? Buffer.from(EMPTY_ROOT) : Buffer.from(this.#subtree(0, size));
  }

  /** PATH(index, D[size]): the sibling hashes from the leaf up; requires 0 <= index < size <= this.size. */
  inclusionProof(index: number, size: number = this.size): Buffer[] {
    this.#checkSize(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new MerkleProofError(`index ${index} out of bounds for tree size ${size}`);
    }
    this.#settle();
    const proof: Buffer[] = [];
    this.#path(index, 0, size, proof);
    return proof.map((node) => Buffer.from(node));
  }

  // Hashes the subtrees that appends have completed since the last root or proof. Two children
  // sit side by side in their level, so a node's input is one copy after the 0x01 prefix, and
  // its 'binary' digest goes straight into the level above (see digest()).
  #settle(): void {
    for (let height = 0; (this.#levels[height]?.count ?? 0) >= 2; height++) {
      const below = this.#levels[height] as Level;
      while ((this.#levels[height + 1]?.count ?? 0) < Math.floor(below.count / 2)) {
        const level = this.#room(height + 1);
        below.bytes.copy(nodeInput, 1, level.count * 64, level.count * 64 + 64);
        level.bytes.write(hash('sha256', nodeInput, 'binary'), level.count * 32, 32, 'binary');
        level.count++;
      }
    }
  }

  #path(index: number, start: number, end: number, proof: Buffer[]): void {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (index < start + k) {
      this.#path(index, start, start + k, proof);
      proof.push(this.#subtree(start + k, end));
    } else {
      this.#path(index, start + k, end, proof);
      proof.push(this.#subtree(start, start + k));
    }
  }

  // MTH(D[start:end]). Every call has start aligned to the largest power of two in its range,
  // so a power-of-two range is always a stored subtree.
  #subtree(start: number, end: number): Buffer {
    const n = end - start;
    let height = 0;
    while (2 ** height < n) height++;
    if (2 ** height === n) {
      const offset = (start / n) * 32;
      return (this.#levels[height] as Level).bytes.subarray(offset, offset + 32);
    }
    const k = splitPoint(n);
    return nodeHash(this.#subtree(start, start + k), this.#subtree(start + k, end));
  }

  // The level at `height`, with room for one more node.
  #room(height: number): Level {
    const level = this.#levels[height] ?? { bytes: Buffer.alloc(32 * 64), count: 0 };
    this.#levels[height] = level;
    if ((level.count + 1) * 32 > level.bytes.length) {
      const grown = Buffer.alloc(level.bytes.length * 2);
      level.bytes.copy(grown);
      level.bytes = grown;
    }
    return level;
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) {
      throw new MerkleProofError(`tree size ${size} is not between 0 and the ${this.size} leaves appended`);
    }
  }
}

// #region inclusion-proof-verify
/**
 * The root that `proof` leads to from the leaf at `index` in a tree of `size` leaves, by the
 * algorithm of RFC 9162 section 2.1.3.2. Requires 0 <= index < size.
 */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Buffer {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new MerkleProofError(`index ${index} out of bounds for tree size ${size}`);
  }
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) throw new MerkleProofError(wrongLength(proof.length, index, size));
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  if (sn !== 0) throw new MerkleProofError(wrongLength(proof.length, index, size));
  return r;
}
// #endregion inclusion-proof-verify

function wrongLength(given: number, index: number, size: number): string {
  let needed = 0;
  for (let fn = index, sn = size - 1; sn > 0; needed++) {
    if (fn === sn) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return `proof has ${given} hashes; index ${index} in tree size ${size} needs ${needed}`;
}

/** Throws `RootMismatch` unless `proof` leads from the leaf at `index` to `root`; requires 0 <= index < size. */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  if (leaf.length !== 32) throw new MerkleProofError(`a leaf hash is 32 bytes, got ${leaf.length}`);
  for (const [i, p] of proof.entries()) {
    if (p.length !== 32) throw new MerkleProofError(`proof hash ${i} is ${p.length} bytes, expected 32`);
  }
  const calculated = rootFromInclusionProof(index, size, leaf, proof);
  if (!calculated.equals(root)) throw new RootMismatch(Buffer.from(root).toString('hex'), calculated.toString('hex'));
}
