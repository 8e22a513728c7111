import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 of the concatenated parts under `key`: the 32-byte digest. */
export function hmacSha256(key: Uint8Array, ...parts: readonly Uint8Array[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Whether any of `signatures` equals any of `expected` (all 32 bytes). Every pair is compared
 * in constant time and none is skipped after a match, so the time taken says nothing about
 * which secret or which signature matched.
 */
export function anyDigestMatches(expected: readonly Uint8Array[], signatures: readonly Uint8Array[]): boolean {
  let matched = false;
  for (const digest of expected) {
    for (const signature of signatures) {
      if (signature.length === digest.length && timingSafeEqual(signature, digest)) matched = true;
    }
  }
  return matched;
}
