import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '@12-factor-agentops/core';
import { DeliveryRefused, decodeBase64Exact, defineSource, signGitHubBody, signStandardWebhook, verifyDelivery } from '../src/index.ts';
import type { HeaderReader, VerifiedDelivery } from '../src/index.ts';

const NOW = 1_700_000_000_000;
const SECRET = `whsec_${Buffer.from('a 24-byte secret for tests').toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.from('the secret before rotation').toString('base64')}`;
const standard = defineSource({ name: 'billing', scheme: 'standard-webhooks', secrets: [SECRET, OLD_SECRET] });
const github = defineSource({ name: 'github', scheme: 'github', secrets: ['new secret', 'old secret'] });

function reader(headers: Record<string, string>): HeaderReader {
  return (name) => headers[name];
}

function standardHeaders(id: string, timestamp: string, body: Uint8Array, secret = SECRET): Record<string, string> {
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signStandardWebhook(secret, id, timestamp, body) };
}

function gitHubHeaders(body: Uint8Array, secret = 'new secret'): Record<string, string> {
  return { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-hub-signature-256': signGitHubBody(secret, body) };
}

function refusal(verify: () => VerifiedDelivery): { code: string; status: number; message: string } {
  try {
    verify();
  } catch (error) {
    if (error instanceof DeliveryRefused) return { code: error.code, status: error.status, message: error.message };
    throw error;
  }
  throw new Error('the delivery was accepted');
}

const TS = String(NOW / 1000);
const BODY = Buffer.from('{"type":"invoice.paid","data":{"id":"inv_1"}}');

describe('a Standard Webhooks delivery', () => {
  it('verifies under the new secret and under the old one during a rotation', () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      const delivery = verifyDelivery(standard, reader(standardHeaders('msg_1', TS, BODY, secret)), BODY, NOW);
      expect(delivery).toMatchObject({ source: 'billing', deliveryId: 'msg_1', eventType: 'invoice.paid', sentAt: NOW, body: BODY.toString() });
    }
  });

  it('verifies when one of several signatures matches, whatever the others are', () => {
    const headers = standardHeaders('msg_1', TS, BODY);
    const foreign = signStandardWebhook(`whsec_${Buffer.from('someone else').toString('base64')}`, 'msg_1', TS, BODY);
    headers['webhook-signature'] = `v1a,bm90IHN1cHBvcnRlZA== ${foreign} ${headers['webhook-signature']}`;
    expect(verifyDelivery(standard, reader(headers), BODY, NOW).deliveryId).toBe('msg_1');
  });

  it('refuses any change to any byte of body, signature, id or timestamp', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('body', 'webhook-signature', 'webhook-id', 'webhook-timestamp'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (field, position, delta) => {
          const headers = standardHeaders('msg_2fK9', TS, BODY);
          let body: Uint8Array = BODY;
          if (field === 'body') body = changeByte(BODY, position, delta);
          else headers[field] = changeByte(Buffer.from(headers[field] as string, 'latin1'), position, delta).toString('latin1');
          expect(() => verifyDelivery(standard, reader(headers), body, NOW)).toThrow(DeliveryRefused);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('refuses every byte position of body, signature, id and timestamp changed by small and large steps', () => {
    // The random property above rarely lands on the last character of the base64 signature,
    // whose two low bits are unused: this walks every position with the steps that flip them.
    let checked = 0;
    for (const field of ['body', 'webhook-signature', 'webhook-id', 'webhook-timestamp'] as const) {
      const length = field === 'body' ? BODY.length : (standardHeaders('msg_2fK9', TS, BODY)[field] as string).length;
      for (let position = 0; position < length; position++) {
        for (const delta of [1, 2, 3, 128, 253, 254, 255]) {
          const headers = standardHeaders('msg_2fK9', TS, BODY);
          let body: Uint8Array = BODY;
          if (field === 'body') body = changeByte(BODY, position, delta);
          else headers[field] = changeByte(Buffer.from(headers[field] as string, 'latin1'), position, delta).toString('latin1');
          expect(() => verifyDelivery(standard, reader(headers), body, NOW), `${field} byte ${position} + ${delta}`).toThrow(DeliveryRefused);
          checked++;
        }
      }
    }
    expect(checked).toBe(7 * (BODY.length + 47 + 8 + TS.length));
  });

  it('refuses a timestamp outside five minutes either way, and accepts one just inside', () => {
    for (const [offset, expected] of [
      [-301, { code: 'stale-timestamp', status: 401, message: 'webhook-timestamp is 301 s old; at most 300 s is accepted' }],
      [301, { code: 'future-timestamp', status: 401, message: 'webhook-timestamp is 301 s ahead; at most 300 s is accepted' }],
    ] as const) {
      const ts = String(NOW / 1000 + offset);
      expect(refusal(() => verifyDelivery(standard, reader(standardHeaders('msg_1', ts, BODY)), BODY, NOW))).toEqual(expected);
    }
    for (const offset of [-300, 300]) {
      const ts = String(NOW / 1000 + offset);
      expect(verifyDelivery(standard, reader(standardHeaders('msg_1', ts, BODY)), BODY, NOW).sentAt).toBe(NOW + offset * 1000);
    }
  });

  it('parses the timestamp strictly: digits only, no sign, no leading zero, no fraction, no spaces', () => {
    for (const ts of ['', ' 1700000000', '1700000000 ', '+1700000000', '-1700000000', '01700000000', '1700000000.0', '1.7e9', '0x6553f100', '1700000000000000000']) {
      const headers = standardHeaders('msg_1', ts === '' ? 'x' : ts, BODY);
      if (ts === '') delete headers['webhook-timestamp'];
      const expected = ts === '' ? 'missing-header' : 'malformed-timestamp';
      expect(refusal(() => verifyDelivery(standard, reader(headers), BODY, NOW)).code, ts).toBe(expected);
    }
  });

  it('refuses missing headers, a wrong content type and a malformed signature header with their reasons', () => {
    const cases: [string, (headers: Record<string, string>) => void, { code: string; status: number; message: string }][] = [
      ['no webhook-id', (h) => delete h['webhook-id'], { code: 'missing-header', status: 400, message: 'webhook-id header is missing' }],
      ['no webhook-signature', (h) => delete h['webhook-signature'], { code: 'missing-header', status: 400, message: 'webhook-signature header is missing' }],
      ['an id with a space', (h) => (h['webhook-id'] = 'msg 1'), { code: 'malformed-header', status: 400, message: 'webhook-id is not 1 to 128 visible ASCII characters' }],
      ['an id of 129 characters', (h) => (h['webhook-id'] = 'm'.repeat(129)), { code: 'malformed-header', status: 400, message: 'webhook-id is not 1 to 128 visible ASCII characters' }],
      ['no v1 signature', (h) => (h['webhook-signature'] = 'v1a,AAAA'), { code: 'malformed-header', status: 400, message: 'webhook-signature holds no "v1," signature that is canonical base64 of 32 bytes' }],
      ['17 entries', (h) => (h['webhook-signature'] = Array(17).fill(h['webhook-signature']).join(' ')), { code: 'malformed-header', status: 400, message: 'webhook-signature holds 17 entries; at most 16 are read' }],
      ['text/plain', (h) => (h['content-type'] = 'text/plain'), { code: 'unsupported-media-type', status: 415, message: 'Content-Type must be application/json (UTF-8), got "text/plain"' }],
      ['latin1 JSON', (h) => (h['content-type'] = 'application/json; charset=iso-8859-1'), { code: 'unsupported-media-type', status: 415, message: 'Content-Type must be application/json (UTF-8), got "application/json; charset=iso-8859-1"' }],
      ['no content type', (h) => delete h['content-type'], { code: 'unsupported-media-type', status: 415, message: 'Content-Type must be application/json (UTF-8), got none' }],
    ];
    for (const [name, change, expected] of cases) {
      const headers = standardHeaders('msg_1', TS, BODY);
      change(headers);
      expect(refusal(() => verifyDelivery(standard, reader(headers), BODY, NOW)), name).toEqual(expected);
    }
    expect(verifyDelivery(standard, reader({ ...standardHeaders('msg_1', TS, BODY), 'content-type': 'Application/JSON; charset=UTF-8' }), BODY, NOW).deliveryId).toBe('msg_1');
  });

  it('refuses a signed body that is not JSON or not UTF-8, after the signature verified', () => {
    for (const [body, message] of [
      [Buffer.from('{"type":'), /^body is not JSON: /],
      [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), /^body is not valid UTF-8 \(at byte 2\)$/],
      [Buffer.from('\ufeff{}'), /^body is not JSON: /],
    ] as const) {
      const result = refusal(() => verifyDelivery(standard, reader(standardHeaders('msg_1', TS, body)), body, NOW));
      expect(result.code).toBe('invalid-json');
      expect(result.status).toBe(400);
      expect(result.message).toMatch(message);
    }
  });

  it('gives the same reason whichever secret came closer', () => {
    const wrong = (secret: string): string => refusal(() => verifyDelivery(standard, reader(standardHeaders('msg_1', TS, BODY, secret)), BODY, NOW)).message;
    const reasons = new Set([wrong(`whsec_${Buffer.from('a 24-byte secret for tesT').toString('base64')}`), wrong(`whsec_${Buffer.from('unrelated').toString('base64')}`)]);
    expect([...reasons]).toEqual(['webhook-signature does not match id, timestamp and body under any configured secret']);
  });
});

describe('a GitHub delivery', () => {
  it('verifies under the new secret and the old one, and types the event with its action', () => {
    for (const secret of ['new secret', 'old secret']) {
      const body = Buffer.from('{"action":"opened","issue":{"number":1}}');
      expect(verifyDelivery(github, reader(gitHubHeaders(body, secret)), body, NOW)).toMatchObject({
        source: 'github',
        deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        eventType: 'issues.opened',
        sentAt: undefined,
      });
    }
  });

  it('refuses any change to any byte of body or signature', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), (inBody, position, delta) => {
        const headers = gitHubHeaders(BODY);
        let body: Uint8Array = BODY;
        if (inBody) body = changeByte(BODY, position, delta);
        else headers['x-hub-signature-256'] = changeByte(Buffer.from(headers['x-hub-signature-256'] as string, 'latin1'), position, delta).toString('latin1');
        expect(() => verifyDelivery(github, reader(headers), body, NOW)).toThrow(DeliveryRefused);
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses every byte position of body and signature changed by small and large steps', () => {
    const signature = gitHubHeaders(BODY)['x-hub-signature-256'] as string;
    for (const [field, length] of [['body', BODY.length], ['signature', signature.length]] as const) {
      for (let position = 0; position < length; position++) {
        for (const delta of [1, 2, 3, 128, 253, 254, 255]) {
          const headers = gitHubHeaders(BODY);
          let body: Uint8Array = BODY;
          if (field === 'body') body = changeByte(BODY, position, delta);
          else headers['x-hub-signature-256'] = changeByte(Buffer.from(signature, 'latin1'), position, delta).toString('latin1');
          expect(() => verifyDelivery(github, reader(headers), body, NOW), `${field} byte ${position} + ${delta}`).toThrow(DeliveryRefused);
        }
      }
    }
  });

  it('refuses missing and malformed headers with their reasons', () => {
    const cases: [string, (headers: Record<string, string>) => void, string, string][] = [
      ['no signature', (h) => delete h['x-hub-signature-256'], 'missing-header', 'X-Hub-Signature-256 header is missing'],
      ['no delivery id', (h) => delete h['x-github-delivery'], 'missing-header', 'X-GitHub-Delivery header is missing'],
      ['no event', (h) => delete h['x-github-event'], 'missing-header', 'X-GitHub-Event header is missing'],
      ['sha1 signature', (h) => (h['x-hub-signature-256'] = `sha1=${'0'.repeat(40)}`), 'malformed-header', 'X-Hub-Signature-256 is not "sha256=" followed by 64 lowercase hex digits'],
      ['uppercase hex', (h) => (h['x-hub-signature-256'] = (h['x-hub-signature-256'] as string).toUpperCase()), 'malformed-header', 'X-Hub-Signature-256 is not "sha256=" followed by 64 lowercase hex digits'],
      ['event with a space', (h) => (h['x-github-event'] = 'issue comment'), 'malformed-header', 'X-GitHub-Event is not 1 to 128 letters, digits, "_", "." or "-"'],
    ];
    for (const [name, change, code, message] of cases) {
      const headers = gitHubHeaders(BODY);
      change(headers);
      expect(refusal(() => verifyDelivery(github, reader(headers), BODY, NOW)), name).toMatchObject({ code, message, status: 400 });
    }
    expect(refusal(() => verifyDelivery(github, reader(gitHubHeaders(BODY, 'a guess')), BODY, NOW))).toEqual({
      code: 'signature-mismatch',
      status: 401,
      message: 'X-Hub-Signature-256 does not match the body under any configured secret',
    });
  });
});

describe('configuration', () => {
  it('refuses bad sources without printing a secret', () => {
    expect(() => defineSource({ name: 'Billing', scheme: 'github', secrets: ['s'] })).toThrow(InvalidOptionError);
    expect(() => defineSource({ name: 'github', scheme: 'github', secrets: [] })).toThrow('Expected `sources.github.secrets` to be a non-empty list of secrets');
    const secret = 'whsec_not base64!';
    try {
      defineSource({ name: 'billing', scheme: 'standard-webhooks', secrets: [secret] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe('Expected `sources.billing.secrets[0]` to be a secret "whsec_" followed by canonical base64 of at least one byte, got "(not shown)" (string).');
    }
    expect(() => defineSource({ name: 'billing', scheme: 'standard-webhooks', secrets: [SECRET], timestampToleranceMs: 0 })).toThrow(InvalidOptionError);
  });

  it('decodes only canonical base64, so no two signature texts verify as the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.string({ maxLength: 60 }), (data, text) => {
        const canonical = Buffer.from(data).toString('base64');
        expect(decodeBase64Exact(canonical)).toEqual(Buffer.from(data));
        const decoded = decodeBase64Exact(text);
        if (decoded !== undefined) expect(decoded.toString('base64')).toBe(text);
      }),
    );
    // The last character of 32 bytes carries two unused bits: Node's decoder ignores them.
    const signature = Buffer.alloc(32, 7).toString('base64');
    const sibling = `${signature.slice(0, 42)}${String.fromCharCode(signature.charCodeAt(42) + 1)}=`;
    expect(Buffer.from(sibling, 'base64')).toEqual(Buffer.from(signature, 'base64'));
    expect(decodeBase64Exact(sibling)).toBeUndefined();
  });
});

function changeByte(source: Uint8Array, position: number, delta: number): Buffer {
  const copy = Buffer.from(source);
  const at = position % copy.length;
  copy[at] = ((copy[at] as number) + delta) % 256;
  return copy;
}
