// The Standard Webhooks scheme: the sender signs `<webhook-id>.<webhook-timestamp>.<body>` with
// HMAC-SHA256 and sends `webhook-signature: v1,<base64> [v1,<base64> …]`. Id, timestamp and
// body are all signed, so a replay outside the timestamp window is refused outright.
import { InvalidOptionError } from '@12-factor-agentops/core';
import { DeliveryRefused } from './errors.ts';
import { anyDigestMatches, hmacSha256 } from './hmac.ts';

const SECRET_PREFIX = 'whsec_';
// Seconds since the epoch, digits only, no sign, no leading zero, at most 15 digits.
const TIMESTAMP_FORMAT = /^(0|[1-9][0-9]{0,14})$/;
const MAX_SIGNATURES = 16;

/** The HMAC keys of `whsec_<base64>` secrets, checked once when a source is configured. */
export function standardWebhooksKeys(option: string, secrets: readonly string[]): readonly Buffer[] {
  if (!Array.isArray(secrets) || secrets.length === 0) throw new InvalidOptionError(option, 'a non-empty list of secrets', secrets);
  return secrets.map((secret, index) => {
    const key = typeof secret === 'string' && secret.startsWith(SECRET_PREFIX) ? decodeBase64Exact(secret.slice(SECRET_PREFIX.length)) : undefined;
    if (key === undefined || key.length === 0) {
      throw new InvalidOptionError(`${option}[${index}]`, 'a secret "whsec_" followed by canonical base64 of at least one byte', '(not shown)');
    }
    return key;
  });
}

/**
 * Decodes canonical base64 (standard alphabet, padded), or returns undefined. Node's decoder
 * ignores stray characters and the unused low bits of the last character; a verifier built
 * on it would accept a changed signature byte, so anything that does not re-encode to the
 * same text is refused.
 */
export function decodeBase64Exact(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** The signature a sender holding `secret` puts in `webhook-signature` (one `v1,` entry). */
export function signStandardWebhook(secret: string, id: string, timestamp: string, body: Uint8Array): string {
  const [key] = standardWebhooksKeys('secret', [secret]);
  return `v1,${signedDigest(key as Buffer, id, timestamp, body).toString('base64')}`;
}

/**
 * Parses `webhook-timestamp` strictly (seconds since the epoch, digits only) and checks it
 * lies within `toleranceMs` of `nowMs`, either direction. Throws `DeliveryRefused`:
 * `malformed-timestamp`, `stale-timestamp` or `future-timestamp`.
 */
export function checkWebhookTimestamp(timestamp: string, nowMs: number, toleranceMs: number): number {
  if (!TIMESTAMP_FORMAT.test(timestamp)) {
    throw new DeliveryRefused('malformed-timestamp', 'webhook-timestamp is not whole seconds since the epoch written in digits');
  }
  const sentAtMs = Number(timestamp) * 1000;
  const ageMs = nowMs - sentAtMs;
  if (ageMs > toleranceMs) {
    throw new DeliveryRefused('stale-timestamp', `webhook-timestamp is ${Math.floor(ageMs / 1000)} s old; at most ${toleranceMs / 1000} s is accepted`);
  }
  if (-ageMs > toleranceMs) {
    throw new DeliveryRefused('future-timestamp', `webhook-timestamp is ${Math.floor(-ageMs / 1000)} s ahead; at most ${toleranceMs / 1000} s is accepted`);
  }
  return sentAtMs;
}

/**
 * Parses `webhook-signature`: space-separated `<version>,<base64>` entries, of which the `v1`
 * entries that are canonical base64 of 32 bytes are kept. Other entries (another version such
 * as the asymmetric `v1a`, or a malformed one) are skipped, as the reference libraries skip
 * them. Throws `DeliveryRefused('malformed-header')` when no `v1` signature is left, or when
 * the header holds more than 16 entries.
 */
export function parseSignatureHeader(header: string): readonly Buffer[] {
  const entries = header.split(' ');
  if (entries.length > MAX_SIGNATURES) {
    throw new DeliveryRefused('malformed-header', `webhook-signature holds ${entries.length} entries; at most ${MAX_SIGNATURES} are read`);
  }
  const signatures: Buffer[] = [];
  for (const entry of entries) {
    if (!entry.startsWith('v1,')) continue;
    const digest = decodeBase64Exact(entry.slice(3));
    if (digest !== undefined && digest.length === 32) signatures.push(digest);
  }
  if (signatures.length === 0) {
    throw new DeliveryRefused('malformed-header', 'webhook-signature holds no "v1," signature that is canonical base64 of 32 bytes');
  }
  return signatures;
}

/**
 * Checks the parsed `webhook-signature` entries against `id.timestamp.body` (the raw body
 * bytes) under every configured key. Throws `DeliveryRefused('signature-mismatch')` when no
 * entry verifies under any key.
 */
export function verifyStandardWebhookSignature(
  signatures: readonly Uint8Array[],
  id: string,
  timestamp: string,
  body: Uint8Array,
  keys: readonly Uint8Array[],
): void {
  const expected = keys.map((key) => signedDigest(key, id, timestamp, body));
  if (!anyDigestMatches(expected, signatures)) {
    throw new DeliveryRefused('signature-mismatch', 'webhook-signature does not match id, timestamp and body under any configured secret');
  }
}

function signedDigest(key: Uint8Array, id: string, timestamp: string, body: Uint8Array): Buffer {
  return hmacSha256(key, Buffer.from(`${id}.${timestamp}.`, 'utf8'), body);
}
