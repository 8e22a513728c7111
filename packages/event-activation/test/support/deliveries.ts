import { signGitHubBody, signStandardWebhook } from '../../src/index.ts';
import type { VerifiedDelivery, WebhookSourceOptions } from '../../src/index.ts';

export const STANDARD_SECRET = `whsec_${Buffer.from('billing secret used only in tests').toString('base64')}`;
export const GITHUB_SECRET = 'github secret used only in tests';

export const SOURCES: readonly WebhookSourceOptions[] = [
  { name: 'billing', scheme: 'standard-webhooks', secrets: [STANDARD_SECRET] },
  { name: 'github', scheme: 'github', secrets: [GITHUB_SECRET] },
];

export const ROUTES = { 'invoice.paid': 'ledger-agent', 'issues.opened': 'triage-agent' } as const;

/** A verified delivery as the receiver would store it. */
export function delivery(deliveryId: string, eventType: string | null = 'invoice.paid', source = 'billing'): VerifiedDelivery {
  const body = JSON.stringify({ type: eventType, data: { id: deliveryId } });
  return { source, deliveryId, eventType, body, payload: JSON.parse(body), sentAt: undefined };
}

/** The headers and body of a signed Standard Webhooks request. */
export function signedStandardRequest(id: string, nowMs: number, payload: unknown = { type: 'invoice.paid', data: { id } }, secret = STANDARD_SECRET) {
  const body = Buffer.from(JSON.stringify(payload));
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    body,
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signStandardWebhook(secret, id, timestamp, body) },
  };
}

/** The headers and body of a signed GitHub request. */
export function signedGitHubRequest(id: string, event: string, payload: unknown, secret = GITHUB_SECRET) {
  const body = Buffer.from(JSON.stringify(payload));
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': id, 'x-hub-signature-256': signGitHubBody(secret, body) },
  };
}
