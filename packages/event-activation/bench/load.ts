// The load generator, in a process of its own so it does not share the server's event loop:
// signs every request before the run (signing is not in the load loop), gives each of the
// connections its own slice of unique delivery ids, runs autocannon and prints its figures as
// one JSON line.
import autocannon from 'autocannon';
import { signStandardWebhook } from '../src/index.ts';

interface LoadPlan {
  readonly url: string;
  readonly secret: string;
  readonly runId: string;
  readonly connections: number;
  readonly perConnection: number;
  readonly durationSeconds: number;
  readonly bodyBytes: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;
const timestamp = String(Math.floor(Date.now() / 1000));
const slices = Array.from({ length: plan.connections }, (_, connection) =>
  Array.from({ length: plan.perConnection }, (_, index) => {
    const id = `msg_${plan.runId}_${connection}_${index}`;
    const envelope = JSON.stringify({ type: 'invoice.paid', data: { id, pad: '' } });
    const body = Buffer.from(envelope.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, plan.bodyBytes - envelope.length))}"`));
    return {
      method: 'POST',
      path: '/webhooks/billing',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signStandardWebhook(plan.secret, id, timestamp, body) },
      body,
    };
  }),
);
let next = 0;
const result = await autocannon({
  url: plan.url,
  connections: plan.connections,
  duration: plan.durationSeconds,
  requests: slices[0] ?? [],
  setupClient: (client) => client.setRequests(slices[next++ % slices.length] ?? []),
});
const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, stats]) => [status, stats.count]));
console.log(JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, statuses }));
