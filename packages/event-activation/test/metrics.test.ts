// The /metrics endpoint over real HTTP, scraped after a known sequence of requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventMetrics, InboxWorkers, MemoryInbox, startReceiver } from '../src/index.ts';
import type { RunningReceiver } from '../src/index.ts';
import { ROUTES, SOURCES, signedGitHubRequest, signedStandardRequest } from './support/deliveries.ts';
import { waitUntil } from './support/wait.ts';

describe('the /metrics endpoint', () => {
  const inbox = new MemoryInbox();
  const metrics = new EventMetrics(inbox);
  let receiver: RunningReceiver;
  let workers: InboxWorkers;
  let failures = 0;

  beforeAll(async () => {
    workers = new InboxWorkers({
      inbox,
      metrics,
      retryDelayMs: 0,
      pollIntervalMs: 20,
      agents: {
        'ledger-agent': async () => {
          if (failures++ === 0) throw new Error('first try fails');
        },
        'triage-agent': async () => {},
      },
    }).start();
    receiver = await startReceiver({ sources: SOURCES, routes: ROUTES, inbox, metrics, maxBodyBytes: 2_048, onStored: () => workers.wake() });
  });
  afterAll(async () => {
    await receiver.close();
    await workers.stop();
  });

  async function send(path: string, request: { headers: Record<string, string>; body: Uint8Array }): Promise<number> {
    const response = await fetch(`${receiver.url}/webhooks/${path}`, { method: 'POST', headers: request.headers, body: request.body });
    await response.arrayBuffer();
    return response.status;
  }

  it('counts received, verified, rejected by reason and deduplicated requests, dispatches, inbox depth and handler latency', async () => {
    const event = signedStandardRequest('msg_metrics_1', Date.now());
    expect(await send('billing', event)).toBe(202);
    expect(await send('billing', event)).toBe(200);
    expect(await send('billing', signedStandardRequest('msg_metrics_2', Date.now(), undefined, `whsec_${Buffer.from('forger').toString('base64')}`))).toBe(401);
    expect(await send('billing', signedStandardRequest('msg_metrics_3', Date.now() - 3_600_000))).toBe(401);
    expect(await send('billing', signedStandardRequest('msg_metrics_4', Date.now(), { type: 'invoice.paid', pad: 'x'.repeat(4_000) }))).toBe(413);
    expect(await send('github', signedGitHubRequest('gh-metrics-1', 'issues', { action: 'opened' }))).toBe(202);
    expect(await send('github', signedGitHubRequest('gh-metrics-2', 'fork', {}))).toBe(202);
    await waitUntil('both routed events are done', async () => (await inbox.depth()).done === 2);

    const response = await fetch(`${receiver.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = (await response.text()).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'agentops_webhook_received_total{source="billing"} 5',
        'agentops_webhook_received_total{source="github"} 2',
        'agentops_webhook_verified_total{source="billing"} 2',
        'agentops_webhook_verified_total{source="github"} 2',
        'agentops_webhook_rejected_total{source="billing",reason="signature-mismatch"} 1',
        'agentops_webhook_rejected_total{source="billing",reason="stale-timestamp"} 1',
        'agentops_webhook_rejected_total{source="billing",reason="body-too-large"} 1',
        'agentops_webhook_deduplicated_total{source="billing"} 1',
        'agentops_events_dispatched_total{agent="ledger-agent"} 2',
        'agentops_events_dispatched_total{agent="triage-agent"} 1',
        'agentops_inbox_events{state="pending"} 0',
        'agentops_inbox_events{state="done"} 2',
        'agentops_inbox_events{state="unrouted"} 1',
        'agentops_handler_duration_seconds_count{agent="ledger-agent",outcome="failed"} 1',
        'agentops_handler_duration_seconds_count{agent="ledger-agent",outcome="handled"} 1',
        'agentops_handler_duration_seconds_count{agent="triage-agent",outcome="handled"} 1',
      ]),
    );
    expect(lines.filter((line) => line.startsWith('agentops_webhook_deduplicated_total{source="github"}'))).toEqual([]);
  });

  it('answers 503 when the inbox cannot be read for the depth', async () => {
    const broken = new MemoryInbox();
    broken.depth = async () => {
      throw new Error('connection refused');
    };
    const other = await startReceiver({ sources: SOURCES, routes: ROUTES, inbox: broken, metrics: new EventMetrics(broken) });
    try {
      const response = await fetch(`${other.url}/metrics`);
      expect(response.status).toBe(503);
      expect(await response.text()).toBe('metrics unavailable: connection refused\n');
    } finally {
      await other.close();
    }
  });

  it('keeps two receivers apart: each has a registry of its own', async () => {
    const first = new EventMetrics(new MemoryInbox());
    const second = new EventMetrics(new MemoryInbox());
    first.received('billing');
    expect((await second.scrape()).body).not.toContain('agentops_webhook_received_total{source="billing"} 1');
    expect((await first.scrape()).body).toContain('agentops_webhook_received_total{source="billing"} 1');
  });
});
