// GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
// GitHub signs the body only: no timestamp and no delivery id are signed.
import { InvalidOptionError } from '@12-factor-agentops/core';
import { DeliveryRefused } from './errors.ts';
import { anyDigestMatches, hmacSha256 } from './hmac.ts';

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/;

/** The HMAC keys of GitHub secrets, checked once when a source is configured. */
export function gitHubKeys(option: string, secrets: readonly string[]): readonly Buffer[] {
  if (!Array.isArray(secrets) || secrets.length === 0) throw new InvalidOptionError(option, 'a non-empty list of secrets', secrets);
  return secrets.map((secret, index) => {
    if (typeof secret !== 'string' || secret.length === 0) throw new InvalidOptionError(`${option}[${index}]`, 'a non-empty string', secret);
    return Buffer.from(secret, 'utf8');
  });
}

/** The `X-Hub-Signature-256` value GitHub would send for `body` signed with `secret`. */
export function signGitHubBody(secret: string, body: Uint8Array): string {
  return `sha256=${hmacSha256(Buffer.from(secret, 'utf8'), body).toString('hex')}`;
}

/**
 * Checks `X-Hub-Signature-256` against the raw body bytes with every configured key (several
 * during a secret rotation). Throws `DeliveryRefused`: `malformed-header` when the value is
 * not `sha256=` and 64 lowercase hex digits, `signature-mismatch` when no key verifies.
 */
export function verifyGitHubSignature(header: string, body: Uint8Array, keys: readonly Uint8Array[]): void {
  const match = SIGNATURE_FORMAT.exec(header);
  if (match === null) {
    throw new DeliveryRefused('malformed-header', 'X-Hub-Signature-256 is not "sha256=" followed by 64 lowercase hex digits');
  }
  const signature = Buffer.from(match[1] as string, 'hex');
  if (!anyDigestMatches(keys.map((key) => hmacSha256(key, body)), [signature])) {
    throw new DeliveryRefused('signature-mismatch', 'X-Hub-Signature-256 does not match the body under any configured secret');
  }
}
