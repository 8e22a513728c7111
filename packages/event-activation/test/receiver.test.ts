// The receiver over real HTTP on a free loopback port.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboxWorkers, MemoryInbox, createReceiverApp, readBodyWithin, signStandardWebhook, startReceiver } from '../src/index.ts';
import type { AgentHandler, EventInbox, InboxEvent, RunningReceiver } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';
import { ROUTES, SOURCES, STANDARD_SECRET, signedGitHubRequest, signedStandardRequest } from './support/deliveries.ts';
import { waitUntil } from './support/wait.ts';

async function post(url: string, headers: Record<string, string>, body: Uint8Array | string): Promise<{ status: number; json: unknown; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json(), headers: response.headers };
}

describe('the receiver refuses bad input with a specific status and reason, storing and dispatching nothing', () => {
  let receiver: RunningReceiver;
  let workers: InboxWorkers;
  const inbox = new MemoryInbox();
  const dispatched: InboxEvent[] = [];
  const refusals: string[] = [];

  beforeAll(async () => {
    const handler: AgentHandler = async (event) => {
      dispatched.push(event);
    };
    workers = new InboxWorkers({ inbox, agents: { 'ledger-agent': handler, 'triage-agent': handler }, pollIntervalMs: 20 }).start();
    receiver = await startReceiver({ sources: SOURCES, routes: ROUTES, inbox, maxBodyBytes: 4_096, onStored: () => workers.wake(), onRefused: (_source, error) => refusals.push(error.message) });
  });
  afterAll(async () => {
    await receiver.close();
    await workers.stop();
  });

  const now = (): number => Date.now();
  const cases: [string, () => { path: string; headers: Record<string, string>; body: Uint8Array | string }, number, { refused: string; reason: string | RegExp }][] = [
    ['a forged signature', () => ({ path: 'billing', ...signedStandardRequest('msg_forged', now(), undefined, `whsec_${Buffer.from('forger').toString('base64')}`) }), 401, { refused: 'signature-mismatch', reason: 'webhook-signature does not match id, timestamp and body under any configured secret' }],
    ['a stale timestamp', () => ({ path: 'billing', ...signedStandardRequest('msg_stale', now() - 600_000) }), 401, { refused: 'stale-timestamp', reason: /^webhook-timestamp is 60\d s old; at most 300 s is accepted$/ }],
    ['a future timestamp', () => ({ path: 'billing', ...signedStandardRequest('msg_future', now() + 600_000) }), 401, { refused: 'future-timestamp', reason: /^webhook-timestamp is 59\d s ahead; at most 300 s is accepted$/ }],
    ['a malformed timestamp', () => { const r = signedStandardRequest('msg_bad_ts', now()); return { path: 'billing', body: r.body, headers: { ...r.headers, 'webhook-timestamp': '17e8' } }; }, 400, { refused: 'malformed-timestamp', reason: 'webhook-timestamp is not whole seconds since the epoch written in digits' }],
    ['a missing signature', () => { const r = signedStandardRequest('msg_nosig', now()); const { 'webhook-signature': _, ...headers } = r.headers; return { path: 'billing', body: r.body, headers }; }, 400, { refused: 'missing-header', reason: 'webhook-signature header is missing' }],
    ['a malformed signature', () => { const r = signedStandardRequest('msg_badsig', now()); return { path: 'billing', body: r.body, headers: { ...r.headers, 'webhook-signature': 'v1,not-base64' } }; }, 400, { refused: 'malformed-header', reason: 'webhook-signature holds no "v1," signature that is canonical base64 of 32 bytes' }],
    ['a wrong content type', () => { const r = signedStandardRequest('msg_ct', now()); return { path: 'billing', body: r.body, headers: { ...r.headers, 'content-type': 'application/x-www-form-urlencoded' } }; }, 415, { refused: 'unsupported-media-type', reason: 'Content-Type must be application/json (UTF-8), got "application/x-www-form-urlencoded"' }],
    ['a body over the limit', () => ({ path: 'billing', ...signedStandardRequest('msg_big', now(), { type: 'invoice.paid', pad: 'x'.repeat(5_000) }) }), 413, { refused: 'body-too-large', reason: 'body is larger than 4096 bytes' }],
    ['signed JSON that does not parse', () => { const body = Buffer.from('{"type": "invoice.paid",'); const r = signedStandardRequest('msg_json', now()); return { path: 'billing', body, headers: { ...r.headers, ...resign('msg_json', r.headers['webhook-timestamp'], body) } }; }, 400, { refused: 'invalid-json', reason: /^body is not JSON: / }],
    ['a GitHub body changed after signing', () => { const r = signedGitHubRequest('gh-1', 'issues', { action: 'opened' }); return { path: 'github', headers: r.headers, body: '{"action":"closed"}' }; }, 401, { refused: 'signature-mismatch', reason: 'X-Hub-Signature-256 does not match the body under any configured secret' }],
    ['a GitHub delivery without its id', () => { const r = signedGitHubRequest('gh-2', 'issues', { action: 'opened' }); const { 'x-github-delivery': _, ...headers } = r.headers; return { path: 'github', body: r.body, headers }; }, 400, { refused: 'missing-header', reason: 'X-GitHub-Delivery header is missing' }],
  ];

  it.each(cases)('%s', async (_name, build, status, expected) => {
    const before = await inbox.depth();
    const { path, headers, body } = build();
    const response = await post(`${receiver.url}/webhooks/${path}`, headers, body);
    expect(response.status).toBe(status);
    expect(response.headers.get('connection')).toBe('close');
    const json = response.json as { refused: string; reason: string };
    expect(json.refused).toBe(expected.refused);
    if (typeof expected.reason === 'string') expect(json.reason).toBe(expected.reason);
    else expect(json.reason).toMatch(expected.reason);
    expect(await inbox.depth()).toEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(dispatched).toEqual([]);
  });

  it('refuses a chunked body over the limit while it streams, before the sender has finished', async () => {
    const { headers } = signedStandardRequest('msg_stream', Date.now());
    // 5 KiB in 1 KiB chunks, and the request is never ended: an answer can only come from
    // counting the bytes as they arrive.
    const { status, ended } = await new Promise<{ status: number; ended: boolean }>((resolve, reject) => {
      const outgoing = request(`${receiver.url}/webhooks/billing`, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, ended: outgoing.writableEnded });
        outgoing.destroy();
      });
      outgoing.on('error', reject);
      for (let chunk = 0; chunk < 5; chunk++) outgoing.write(Buffer.alloc(1_024, 0x20));
    });
    expect(status).toBe(413);
    expect(ended).toBe(false);
    expect(await inbox.depth()).toEqual({ pending: 0, done: 0, unrouted: 0 });
  });

  it('answers 404 for a source it does not serve', async () => {
    const { headers, body } = signedStandardRequest('msg_404', Date.now());
    const response = await fetch(`${receiver.url}/webhooks/unknown`, { method: 'POST', headers, body });
    expect(response.status).toBe(404);
    await response.arrayBuffer();
  });

  it('never names a secret or which secret came close in a reason', () => {
    expect(refusals.length).toBeGreaterThanOrEqual(cases.length);
    for (const reason of refusals) expect(reason).not.toMatch(/whsec_|secret used only in tests|\[\d\]/);
  });
});

function resign(id: string, timestamp: string, body: Uint8Array): Record<string, string> {
  return { 'webhook-signature': signStandardWebhook(STANDARD_SECRET, id, timestamp, body) };
}

describe.each(BACKENDS)('over real HTTP with the inbox on %s', (kind) => {
  let backend: Backend;
  let inbox: EventInbox;
  let receiver: RunningReceiver;
  let workers: InboxWorkers;
  const dispatched: InboxEvent[] = [];

  beforeAll(async () => {
    backend = await openBackend(kind);
    inbox = await backend.openInbox();
    workers = new InboxWorkers({
      inbox,
      agents: {
        'ledger-agent': async (event) => {
          dispatched.push(event);
        },
        'triage-agent': async (event) => {
          dispatched.push(event);
        },
      },
      pollIntervalMs: 50,
    }).start();
    receiver = await startReceiver({ sources: SOURCES, routes: ROUTES, inbox, onStored: () => workers.wake() });
  });
  afterAll(async () => {
    await receiver.close();
    await workers.stop();
    await backend.close();
  });

  it('turns 50 concurrent redeliveries of one id into one inbox row and one dispatch', async () => {
    const { headers, body } = signedStandardRequest(`msg_concurrent_${kind}`, Date.now());
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(`${receiver.url}/webhooks/billing`, headers, body)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(49);
    expect(responses.find((response) => response.status === 202)?.json).toEqual({ status: 'accepted', agent: 'ledger-agent' });
    await waitUntil('the event is done', async () => (await inbox.get('billing', `msg_concurrent_${kind}`))?.state === 'done');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(dispatched.filter((event) => event.deliveryId === `msg_concurrent_${kind}`)).toHaveLength(1);
    expect(await inbox.get('billing', `msg_concurrent_${kind}`)).toMatchObject({ attempts: 1, state: 'done' });
  });

  it('wakes the one agent a GitHub event routes to, and records an unrouted event as accepted-but-unrouted', async () => {
    const routed = signedGitHubRequest(`gh-${kind}-1`, 'issues', { action: 'opened', issue: { number: 7 } });
    const response = await post(`${receiver.url}/webhooks/github`, routed.headers, routed.body);
    expect(response).toMatchObject({ status: 202, json: { status: 'accepted', agent: 'triage-agent' } });
    await waitUntil('the triage agent ran', () => dispatched.some((event) => event.deliveryId === `gh-${kind}-1`));
    expect(dispatched.find((event) => event.deliveryId === `gh-${kind}-1`)).toMatchObject({
      source: 'github',
      eventType: 'issues.opened',
      agent: 'triage-agent',
      payload: { action: 'opened', issue: { number: 7 } },
      attempt: 1,
    });
    const unrouted = signedGitHubRequest(`gh-${kind}-2`, 'star', { action: 'created' });
    expect(await post(`${receiver.url}/webhooks/github`, unrouted.headers, unrouted.body)).toMatchObject({ status: 202, json: { status: 'unrouted' } });
    expect(await inbox.get('github', `gh-${kind}-2`)).toMatchObject({ state: 'unrouted', eventType: 'star.created', agent: null });
  });
});

describe('when the inbox cannot store an event', () => {
  it('answers 503 with Retry-After and acknowledges nothing', async () => {
    const failing = new MemoryInbox();
    failing.accept = async () => {
      throw new Error('connection refused');
    };
    const reported: string[] = [];
    const receiver = await startReceiver({ sources: SOURCES, routes: ROUTES, inbox: failing, onRefused: (_source, error) => reported.push(error.message) });
    try {
      const { headers, body } = signedStandardRequest('msg_down', Date.now());
      const response = await post(`${receiver.url}/webhooks/billing`, headers, body);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.json).toEqual({ refused: 'inbox-unavailable', reason: 'the event could not be stored; deliver it again later' });
      expect(reported).toEqual([
        'Delivery "msg_down" of source "billing" was verified but could not be stored in the inbox: Error: connection refused. It was not acknowledged; the sender will deliver it again. Check the database.',
      ]);
    } finally {
      await receiver.close();
    }
  });
});

describe('reading a web Request body within the limit (the path when the app runs outside Node’s server)', () => {
  const stream = (chunks: number, size: number): ReadableStream<Uint8Array> =>
    new ReadableStream({
      start(controller) {
        for (let chunk = 0; chunk < chunks; chunk++) controller.enqueue(new Uint8Array(size).fill(0x20));
        controller.close();
      },
    });

  it('returns the exact bytes of a body at the limit', async () => {
    const request = new Request('http://localhost/', { method: 'POST', body: stream(4, 256), duplex: 'half' } as RequestInit);
    expect((await readBodyWithin(request, 1_024)).length).toBe(1_024);
  });

  it('refuses a declared Content-Length over the limit, and a streamed body one byte over it', async () => {
    const declared = new Request('http://localhost/', { method: 'POST', body: 'x'.repeat(2_000), headers: { 'content-length': '2000' } });
    await expect(readBodyWithin(declared, 1_024)).rejects.toThrow('body is larger than 1024 bytes');
    const streamed = new Request('http://localhost/', { method: 'POST', body: stream(1, 1_025), duplex: 'half' } as RequestInit);
    await expect(readBodyWithin(streamed, 1_024)).rejects.toMatchObject({ code: 'body-too-large', status: 413 });
  });

  it('serves the receiver through app.fetch alone, without a Node server', async () => {
    const inbox = new MemoryInbox();
    const app = createReceiverApp({ sources: SOURCES, routes: ROUTES, inbox });
    const { headers, body } = signedStandardRequest('msg_fetch_only', Date.now());
    const response = await app.fetch(new Request('http://localhost/webhooks/billing', { method: 'POST', headers, body }));
    expect(response.status).toBe(202);
    expect((await inbox.get('billing', 'msg_fetch_only'))?.state).toBe('pending');
  });
});
