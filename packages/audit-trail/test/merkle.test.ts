import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT } from '../src/merkle.ts';
import { MerkleProofError, MerkleTree, RootMismatch, leafHash, nodeHash, rootFromInclusionProof, verifyInclusion } from '../src/index.ts';

// RFC 9162 section 2.1, written out literally as the reference the tree is checked against:
// https://www.rfc-editor.org/rfc/rfc9162#section-2.1
const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
};
const largestPowerOfTwoBelow = (n: number): number => 2 ** Math.floor(Math.log2(n - 1));
function referenceMth(d: readonly Buffer[]): Buffer {
  const n = d.length;
  if (n === 0) return sha256();
  if (n === 1) return sha256(Buffer.from([0x00]), d[0] as Buffer);
  const k = largestPowerOfTwoBelow(n);
  return sha256(Buffer.from([0x01]), referenceMth(d.slice(0, k)), referenceMth(d.slice(k)));
}
function referencePath(m: number, d: readonly Buffer[]): Buffer[] {
  const n = d.length;
  if (n === 1) return [];
  const k = largestPowerOfTwoBelow(n);
  return m < k
    ? [...referencePath(m, d.slice(0, k)), referenceMth(d.slice(k))]
    : [...referencePath(m - k, d.slice(k)), referenceMth(d.slice(0, k))];
}

const data = Array.from({ length: 70 }, (_, i) => Buffer.from(`entry ${i}`));
const tree = new MerkleTree();
for (const d of data) tree.append(leafHash(d));
const hex = (buffers: readonly Buffer[]): string[] => buffers.map((b) => b.toString('hex'));

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('MerkleTree against the RFC 9162 definitions', () => {
  it('hashes leaves as SHA-256(0x00 || d), nodes as SHA-256(0x01 || l || r), and the empty tree as SHA-256()', () => {
    expect(leafHash(data[0] as Buffer)).toEqual(sha256(Buffer.from([0]), data[0] as Buffer));
    expect(nodeHash(data[0] as Buffer, data[1] as Buffer)).toEqual(sha256(Buffer.from([1]), data[0] as Buffer, data[1] as Buffer));
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new MerkleTree().root()).toEqual(EMPTY_ROOT);
  });

  it('gives the MTH of the RFC for every size from 1 to 70, including earlier sizes of a grown tree', () => {
    for (let n = 1; n <= data.length; n++) {
      expect(tree.root(n).toString('hex'), `size ${n}`).toBe(referenceMth(data.slice(0, n)).toString('hex'));
    }
  });

  it('gives the same MTH and PATH when roots and proofs are asked for while the tree grows', () => {
    // Interior nodes are hashed when first needed, so interleave appends with queries at generated points.
    fc.assert(fc.property(fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength: 7 }), fc.nat(), (growths, pick) => {
      const growing = new MerkleTree();
      for (const growth of growths) {
        for (let i = 0; i < growth; i++) growing.append(leafHash(data[growing.size] as Buffer));
        if (growing.size === 0) continue;
        const n = growing.size;
        const m = pick % n;
        expect(growing.root().toString('hex')).toBe(referenceMth(data.slice(0, n)).toString('hex'));
        expect(hex(growing.inclusionProof(m, n))).toEqual(hex(referencePath(m, data.slice(0, n))));
        const earlier = 1 + (pick % n);
        expect(growing.root(earlier).toString('hex')).toBe(referenceMth(data.slice(0, earlier)).toString('hex'));
      }
    }), { numRuns: 100 });
  });

  it('takes a leaf as 64 hex digits exactly as it takes the 32 bytes, and refuses anything else', () => {
    const fromHex = new MerkleTree();
    for (const d of data.slice(0, 9)) fromHex.appendHex(leafHash(d).toString('hex'));
    expect(fromHex.root()).toEqual(tree.root(9));
    for (const bad of ['ab'.repeat(31), 'ab'.repeat(33), `${'ab'.repeat(31)}zz`, `g${'a'.repeat(63)}`]) {
      expect(() => fromHex.appendHex(bad)).toThrow(MerkleProofError);
    }
    expect(fromHex.size).toBe(9);
    expect(fromHex.root()).toEqual(tree.root(9));
  });

  it('gives the PATH of the RFC for every index of every size from 1 to 70, and each one verifies', () => {
    for (let n = 1; n <= data.length; n++) {
      const root = tree.root(n);
      for (let m = 0; m < n; m++) {
        const proof = tree.inclusionProof(m, n);
        expect(hex(proof), `index ${m}, size ${n}`).toEqual(hex(referencePath(m, data.slice(0, n))));
        expect(() => verifyInclusion(m, n, leafHash(data[m] as Buffer), proof, root)).not.toThrow();
      }
    }
  });
});

describe('inclusion proof verification', () => {
  const sizeAndIndex = fc.integer({ min: 1, max: 70 }).chain((size) => fc.tuple(fc.constant(size), fc.nat({ max: size - 1 })));

  function rejects(index: number, size: number, leaf: Buffer, proof: readonly Buffer[], root: Buffer): boolean {
    const error = caught(() => verifyInclusion(index, size, leaf, proof, root));
    return error instanceof RootMismatch || error instanceof MerkleProofError;
  }

  it('fails when any bit of any proof hash is flipped', () => {
    fc.assert(fc.property(sizeAndIndex.filter(([n]) => n > 1), fc.nat(), fc.nat({ max: 31 }), fc.nat({ max: 7 }), ([n, m], pick, byte, bit) => {
      const proof = tree.inclusionProof(m, n).map((b) => Buffer.from(b));
      const node = proof[pick % proof.length] as Buffer;
      node[byte] = (node[byte] as number) ^ (1 << bit);
      expect(rejects(m, n, leafHash(data[m] as Buffer), proof, tree.root(n))).toBe(true);
    }), { numRuns: 300 });
  });

  it('fails for any other index of the same tree', () => {
    fc.assert(fc.property(sizeAndIndex.filter(([n]) => n > 1), fc.nat(), ([n, m], other) => {
      const wrong = (m + 1 + (other % (n - 1))) % n;
      expect(rejects(wrong, n, leafHash(data[m] as Buffer), tree.inclusionProof(m, n), tree.root(n))).toBe(true);
    }), { numRuns: 300 });
  });

  it('fails when presented for any other tree size, against that size\'s root', () => {
    fc.assert(fc.property(sizeAndIndex, fc.integer({ min: 1, max: 70 }), ([n, m], wrongSize) => {
      fc.pre(wrongSize !== n);
      const root = tree.root(wrongSize);
      expect(rejects(m, wrongSize, leafHash(data[m] as Buffer), tree.inclusionProof(m, n), root)).toBe(true);
    }), { numRuns: 300 });
  });

  it('fails when a hash is dropped from the proof or one is added anywhere', () => {
    fc.assert(fc.property(sizeAndIndex, fc.nat(), fc.boolean(), ([n, m], at, drop) => {
      const proof = tree.inclusionProof(m, n);
      fc.pre(!drop || proof.length > 0);
      const changed = drop
        ? proof.filter((_, i) => i !== at % proof.length)
        : [...proof.slice(0, at % (proof.length + 1)), randomBytes(32), ...proof.slice(at % (proof.length + 1))];
      expect(rejects(m, n, leafHash(data[m] as Buffer), changed, tree.root(n))).toBe(true);
    }), { numRuns: 300 });
  });

  it('fails for another leaf or another root', () => {
    fc.assert(fc.property(sizeAndIndex, ([n, m]) => {
      const proof = tree.inclusionProof(m, n);
      expect(rejects(m, n, leafHash(Buffer.from(`entry ${m} (edited)`)), proof, tree.root(n))).toBe(true);
      expect(rejects(m, n, leafHash(data[m] as Buffer), proof, nodeHash(tree.root(n), tree.root(n)))).toBe(true);
    }), { numRuns: 100 });
  });

  it('verifies every proof in larger trees too', () => {
    const big = new MerkleTree();
    for (let i = 0; i < 3000; i++) big.append(leafHash(`leaf ${i}`));
    fc.assert(fc.property(fc.integer({ min: 1, max: 3000 }).chain((n) => fc.tuple(fc.constant(n), fc.nat({ max: n - 1 }))), ([n, m]) => {
      expect(rootFromInclusionProof(m, n, leafHash(`leaf ${m}`), big.inclusionProof(m, n))).toEqual(big.root(n));
    }), { numRuns: 300 });
  });

  it('names the numbers when the input cannot be a proof', () => {
    const proof = tree.inclusionProof(2, 5);
    const leaf = leafHash(data[2] as Buffer);
    expect(() => rootFromInclusionProof(9, 8, leaf, [])).toThrow(new MerkleProofError('index 9 out of bounds for tree size 8'));
    expect(() => tree.inclusionProof(9, 8)).toThrow(new MerkleProofError('index 9 out of bounds for tree size 8'));
    expect(() => tree.root(71)).toThrow('tree size 71 is not between 0 and the 70 leaves appended');
    expect(() => verifyInclusion(2, 5, leaf, [...proof, leaf], tree.root(5))).toThrow(new MerkleProofError('proof has 4 hashes; index 2 in tree size 5 needs 3'));
    expect(() => verifyInclusion(2, 5, leaf, proof.slice(1), tree.root(5))).toThrow(new MerkleProofError('proof has 2 hashes; index 2 in tree size 5 needs 3'));
    expect(() => verifyInclusion(2, 5, leaf, [proof[0] as Buffer, Buffer.alloc(31), proof[2] as Buffer], tree.root(5))).toThrow(new MerkleProofError('proof hash 1 is 31 bytes, expected 32'));
  });

  it('reports the expected and the calculated root on a mismatch', () => {
    const proof = tree.inclusionProof(3, 10);
    const other = leafHash('not in the tree');
    const error = caught(() => verifyInclusion(3, 10, other, proof, tree.root(10)));
    expect(error).toBeInstanceOf(RootMismatch);
    expect((error as RootMismatch).expected).toBe(tree.root(10).toString('hex'));
    expect((error as RootMismatch).calculated).toBe(rootFromInclusionProof(3, 10, other, proof).toString('hex'));
  });
});
