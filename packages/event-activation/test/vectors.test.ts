// The published example vectors of both schemes, and agreement with the schemes' maintained
// libraries on random inputs. The libraries are dev dependencies: they verify strings and read
// the clock themselves, so they serve as a second opinion here and never in the request path.
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DeliveryRefused,
  checkWebhookTimestamp,
  defineSource,
  parseSignatureHeader,
  signGitHubBody,
  signStandardWebhook,
  verifyGitHubSignature,
  verifyStandardWebhookSignature,
} from '../src/index.ts';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

// GitHub Docs, "Validating webhook deliveries", section "Testing the webhook payload validation".
const GITHUB_VECTOR = {
  secret: "It's a Secret to Everybody",
  body: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};

// The test vector of the Standard Webhooks reference libraries (standard-webhooks/standard-webhooks).
const STANDARD_VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

afterEach(() => {
  vi.useRealTimers();
});

describe('published vectors', () => {
  it("verifies GitHub's documented example and refuses it under another secret", async () => {
    const keys = defineSource({ name: 'github', scheme: 'github', secrets: [GITHUB_VECTOR.secret] }).keys;
    expect(() => verifyGitHubSignature(GITHUB_VECTOR.signature, bytes(GITHUB_VECTOR.body), keys)).not.toThrow();
    expect(signGitHubBody(GITHUB_VECTOR.secret, bytes(GITHUB_VECTOR.body))).toBe(GITHUB_VECTOR.signature);
    await expect(octokitVerify(GITHUB_VECTOR.secret, GITHUB_VECTOR.body, GITHUB_VECTOR.signature)).resolves.toBe(true);
    const other = defineSource({ name: 'github', scheme: 'github', secrets: ["It's a Secret to Nobody"] }).keys;
    expect(() => verifyGitHubSignature(GITHUB_VECTOR.signature, bytes(GITHUB_VECTOR.body), other)).toThrow(DeliveryRefused);
  });

  it('verifies the Standard Webhooks reference vector at its own timestamp and refuses it six minutes later', () => {
    const { secret, id, timestamp, body, signature } = STANDARD_VECTOR;
    const keys = defineSource({ name: 'billing', scheme: 'standard-webhooks', secrets: [secret] }).keys;
    const sentAt = Number(timestamp) * 1000;
    expect(checkWebhookTimestamp(timestamp, sentAt, 300_000)).toBe(sentAt);
    expect(() => verifyStandardWebhookSignature(parseSignatureHeader(signature), id, timestamp, bytes(body), keys)).not.toThrow();
    expect(signStandardWebhook(secret, id, timestamp, bytes(body))).toBe(signature);
    vi.useFakeTimers({ toFake: ['Date'], now: sentAt });
    expect(new Webhook(secret).verify(body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature })).toEqual({ test: 2432232314 });
    expect(() => checkWebhookTimestamp(timestamp, sentAt + 360_000, 300_000)).toThrow('webhook-timestamp is 360 s old; at most 300 s is accepted');
  });
});

describe('agreement with the maintained libraries on random inputs', () => {
  const printable = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:'), minLength: 1, maxLength: 40 });

  it('GitHub: this package accepts a signature exactly when @octokit/webhooks-methods does', async () => {
    const signatureCase = fc.oneof(
      fc.constant('correct'),
      fc.constant('other-secret'),
      fc.constant('uppercase'),
      fc.constant('sha1-prefix'),
      fc.tuple(fc.constant('flip'), fc.nat()),
      fc.string({ maxLength: 80 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 300 }), signatureCase, async (secret, body, which) => {
        const correct = signGitHubBody(secret, bytes(body));
        let header: string;
        if (which === 'correct') header = correct;
        else if (which === 'other-secret') header = signGitHubBody(`${secret}!`, bytes(body));
        else if (which === 'uppercase') header = `sha256=${correct.slice(7).toUpperCase()}`;
        else if (which === 'sha1-prefix') header = `sha1=${correct.slice(7)}`;
        else if (Array.isArray(which)) {
          const at = 7 + (which[1] % 64);
          header = `${correct.slice(0, at)}${correct[at] === '0' ? '1' : '0'}${correct.slice(at + 1)}`;
        } else header = which === '' ? 'x' : which;
        const keys = defineSource({ name: 'github', scheme: 'github', secrets: [secret] }).keys;
        const ours = accepts(() => verifyGitHubSignature(header, bytes(body), keys));
        expect(ours).toBe(await octokitVerify(secret, body, header));
      }),
      { numRuns: 300 },
    );
  });

  it('Standard Webhooks: this package accepts a delivery exactly when the standardwebhooks library does', () => {
    const now = 1_700_000_000_000;
    vi.useFakeTimers({ toFake: ['Date'], now });
    const signatureCase = fc.oneof(
      fc.constant('correct'),
      fc.constant('other-secret'),
      fc.constant('both-secrets'),
      fc.constant('v2-version'),
      fc.tuple(fc.constant('flip'), fc.nat()),
      fc.string({ maxLength: 80 }),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        printable,
        fc.integer({ min: -900, max: 900 }),
        fc.string({ minLength: 1, maxLength: 300 }),
        signatureCase,
        (secretBytes, id, offsetSeconds, body, which) => {
          const secret = `whsec_${Buffer.from(secretBytes).toString('base64')}`;
          const otherSecret = `whsec_${Buffer.from([...secretBytes, 1]).toString('base64')}`;
          const timestamp = String(now / 1000 + offsetSeconds);
          const correct = signStandardWebhook(secret, id, timestamp, bytes(body));
          let header: string;
          if (which === 'correct') header = correct;
          else if (which === 'other-secret') header = signStandardWebhook(otherSecret, id, timestamp, bytes(body));
          else if (which === 'both-secrets') header = `${signStandardWebhook(otherSecret, id, timestamp, bytes(body))} ${correct}`;
          else if (which === 'v2-version') header = correct.replace('v1,', 'v2,');
          else if (Array.isArray(which)) {
            const at = 3 + (which[1] % 43);
            header = `${correct.slice(0, at)}${correct[at] === 'A' ? 'B' : 'A'}${correct.slice(at + 1)}`;
          } else header = which === '' ? 'x' : which;
          const keys = defineSource({ name: 'billing', scheme: 'standard-webhooks', secrets: [secret] }).keys;
          const ours = accepts(() => {
            checkWebhookTimestamp(timestamp, now, 300_000);
            verifyStandardWebhookSignature(parseSignatureHeader(header), id, timestamp, bytes(body), keys);
          });
          const theirs = accepts(() =>
            new Webhook(secret).verify(body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': header }, { jsonParse: false }),
          );
          expect(ours).toBe(theirs);
        },
      ),
      { numRuns: 500 },
    );
  });
});

function accepts(verify: () => unknown): boolean {
  try {
    verify();
    return true;
  } catch (error) {
    if (error instanceof DeliveryRefused || (error instanceof Error && error.name === 'WebhookVerificationError')) return false;
    throw error;
  }
}
