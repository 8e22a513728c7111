// A configured webhook source and the pure checks of one delivery to it: headers first (no
// body is read for a request they refuse), then the signature over the raw body bytes, then
// the JSON. Each failure is a `DeliveryRefused` with its code and one-line reason.
import { InvalidOptionError, durationMs, firstInvalidUtf8 } from '@12-factor-agentops/core';
import { DEFAULT_TIMESTAMP_TOLERANCE_MS } from './defaults.ts';
import { DeliveryRefused } from './errors.ts';
import { gitHubKeys, verifyGitHubSignature } from './github-signature.ts';
import { checkWebhookTimestamp, parseSignatureHeader, standardWebhooksKeys, verifyStandardWebhookSignature } from './standard-webhooks.ts';

/** A GitHub webhook source: `X-Hub-Signature-256`, deduplicated by `X-GitHub-Delivery`. */
export interface GitHubSourceOptions {
  /** The route name: the source is served at `/webhooks/<name>`. Lowercase letters, digits and `-`. */
  readonly name: string;
  readonly scheme: 'github';
  /** The webhook secret; during a rotation, the new and the old one. */
  readonly secrets: readonly string[];
}

/** A Standard Webhooks source: `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
export interface StandardWebhooksSourceOptions {
  readonly name: string;
  readonly scheme: 'standard-webhooks';
  /** `whsec_<base64>` secrets; during a rotation, the new and the old one. */
  readonly secrets: readonly string[];
  /** How far `webhook-timestamp` may lie from the receiver's clock, either direction. Default 5 minutes. */
  readonly timestampToleranceMs?: number;
}

export type WebhookSourceOptions = GitHubSourceOptions | StandardWebhooksSourceOptions;

/** A source whose options were checked and whose keys were decoded. */
export interface WebhookSource {
  readonly name: string;
  readonly scheme: 'github' | 'standard-webhooks';
  readonly keys: readonly Uint8Array[];
  readonly timestampToleranceMs: number;
}

/** Reads one request header by its lowercase name. */
export type HeaderReader = (name: string) => string | undefined;

/** What the headers of an accepted request said, before the body is read. */
export interface DeliveryHeaders {
  readonly deliveryId: string;
  /** GitHub's `X-GitHub-Event`; undefined for Standard Webhooks (the type is in the payload). */
  readonly eventHeader: string | undefined;
  /** `webhook-timestamp` as sent, for the signed content; undefined for GitHub. */
  readonly timestamp: string | undefined;
  /** When the sender signed it (ms since the epoch), from `webhook-timestamp`; undefined for GitHub. */
  readonly sentAt: number | undefined;
  readonly signatures: readonly Uint8Array[] | undefined;
  readonly gitHubSignature: string | undefined;
}

/** A delivery whose signature verified and whose body is JSON. */
export interface VerifiedDelivery {
  readonly source: string;
  readonly deliveryId: string;
  /** `<X-GitHub-Event>.<action>` (or the event alone) for GitHub; the payload's `type` for Standard Webhooks; null if none. */
  readonly eventType: string | null;
  /** The body exactly as received (UTF-8 JSON text). */
  readonly body: string;
  readonly payload: unknown;
  readonly sentAt: number | undefined;
}

const SOURCE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;
// Visible ASCII, so the id is the same bytes however a header is decoded, and fits a lease item.
const DELIVERY_ID = /^[\x21-\x7e]{1,128}$/;
const EVENT_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** Checks a source's options and decodes its secrets. Throws `InvalidOptionError` (never showing a secret). */
export function defineSource(options: WebhookSourceOptions): WebhookSource {
  if (typeof options.name !== 'string' || !SOURCE_NAME.test(options.name)) {
    throw new InvalidOptionError('source.name', 'lowercase letters, digits and inner "-", 1 to 48 characters', options.name);
  }
  const option = `sources.${options.name}.secrets`;
  if (options.scheme === 'github') return { name: options.name, scheme: 'github', keys: gitHubKeys(option, options.secrets), timestampToleranceMs: 0 };
  if (options.scheme === 'standard-webhooks') {
    const tolerance = options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS;
    return {
      name: options.name,
      scheme: 'standard-webhooks',
      keys: standardWebhooksKeys(option, options.secrets),
      timestampToleranceMs: durationMs(`sources.${options.name}.timestampToleranceMs`, tolerance, { min: 1_000, max: 86_400_000 }),
    };
  }
  throw new InvalidOptionError(`sources.${String((options as { name?: unknown }).name)}.scheme`, '"github" or "standard-webhooks"', (options as { scheme?: unknown }).scheme);
}

/**
 * Checks the headers of a delivery to `source` at `nowMs`: the content type, the presence and
 * form of each required header, and for Standard Webhooks the timestamp window. Nothing here
 * needs the body, so a refused request is refused before it is read.
 */
export function checkDeliveryHeaders(source: WebhookSource, header: HeaderReader, nowMs: number): DeliveryHeaders {
  checkContentType(header('content-type'));
  if (source.scheme === 'github') {
    const gitHubSignature = required(header, 'x-hub-signature-256', 'X-Hub-Signature-256');
    const eventHeader = required(header, 'x-github-event', 'X-GitHub-Event');
    if (!EVENT_NAME.test(eventHeader)) throw new DeliveryRefused('malformed-header', 'X-GitHub-Event is not 1 to 128 letters, digits, "_", "." or "-"');
    const deliveryId = deliveryIdOf(required(header, 'x-github-delivery', 'X-GitHub-Delivery'), 'X-GitHub-Delivery');
    return { deliveryId, eventHeader, timestamp: undefined, sentAt: undefined, signatures: undefined, gitHubSignature };
  }
  const deliveryId = deliveryIdOf(required(header, 'webhook-id', 'webhook-id'), 'webhook-id');
  const timestamp = required(header, 'webhook-timestamp', 'webhook-timestamp');
  const signatures = parseSignatureHeader(required(header, 'webhook-signature', 'webhook-signature'));
  const sentAt = checkWebhookTimestamp(timestamp, nowMs, source.timestampToleranceMs);
  return { deliveryId, eventHeader: undefined, timestamp, sentAt, signatures, gitHubSignature: undefined };
}

/**
 * Verifies the signature over the raw `body` bytes, then decodes the body as UTF-8 JSON.
 * Throws `DeliveryRefused`: `signature-mismatch` or `invalid-json`.
 */
export function verifyDeliveryBody(source: WebhookSource, headers: DeliveryHeaders, body: Uint8Array): VerifiedDelivery {
  if (source.scheme === 'github') verifyGitHubSignature(headers.gitHubSignature as string, body, source.keys);
  else verifyStandardWebhookSignature(headers.signatures ?? [], headers.deliveryId, headers.timestamp as string, body, source.keys);
  const invalidAt = firstInvalidUtf8(body);
  if (invalidAt !== -1) throw new DeliveryRefused('invalid-json', `body is not valid UTF-8 (at byte ${invalidAt})`);
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new DeliveryRefused('invalid-json', `body is not JSON: ${(error as Error).message}`);
  }
  return { source: source.name, deliveryId: headers.deliveryId, eventType: eventTypeOf(headers, payload), body: text, payload, sentAt: headers.sentAt };
}

/** Both checks in order: what the receiver does, without HTTP. */
export function verifyDelivery(source: WebhookSource, header: HeaderReader, body: Uint8Array, nowMs: number): VerifiedDelivery {
  return verifyDeliveryBody(source, checkDeliveryHeaders(source, header, nowMs), body);
}

function checkContentType(value: string | undefined): void {
  const [mediaType = '', ...parameters] = (value ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charsetOk = parameters.every((parameter) => !parameter.startsWith('charset=') || parameter === 'charset=utf-8');
  if (mediaType !== 'application/json' || !charsetOk) {
    throw new DeliveryRefused('unsupported-media-type', `Content-Type must be application/json (UTF-8), got ${value === undefined ? 'none' : JSON.stringify(value)}`);
  }
}

function required(header: HeaderReader, name: string, display: string): string {
  const value = header(name);
  if (value === undefined || value === '') throw new DeliveryRefused('missing-header', `${display} header is missing`);
  return value;
}

function deliveryIdOf(value: string, display: string): string {
  if (!DELIVERY_ID.test(value)) throw new DeliveryRefused('malformed-header', `${display} is not 1 to 128 visible ASCII characters`);
  return value;
}

function eventTypeOf(headers: DeliveryHeaders, payload: unknown): string | null {
  const field = (name: string): string | undefined => {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
    const value = (payload as Record<string, unknown>)[name];
    return typeof value === 'string' && value !== '' && value.length <= 128 ? value : undefined;
  };
  if (headers.eventHeader !== undefined) {
    const action = field('action');
    return action === undefined ? headers.eventHeader : `${headers.eventHeader}.${action}`;
  }
  return field('type') ?? null;
}
