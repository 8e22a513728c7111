// The HTTP receiver: one route per configured source, Hono on Node's HTTP server. Each request
// is checked in the order that costs least first (headers, then the body, read with a limit,
// then the signature over its raw bytes, then the JSON), stored in the inbox, and only then
// acknowledged.
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { InvalidOptionError, readClock, systemClock, wholeNumber } from '@12-factor-agentops/core';
import type { Clock } from '@12-factor-agentops/core';
import { DEFAULT_MAX_BODY_BYTES } from './defaults.ts';
import { DeliveryRefused, InboxUnavailable } from './errors.ts';
import type { AcceptOutcome, EventInbox } from './inbox.ts';
import type { EventMetrics } from './metrics.ts';
import { defineRoutes, routeEvent } from './routing.ts';
import type { RoutingTable } from './routing.ts';
import { checkDeliveryHeaders, defineSource, verifyDeliveryBody } from './sources.ts';
import type { HeaderReader, VerifiedDelivery, WebhookSource, WebhookSourceOptions } from './sources.ts';

export interface ReceiverOptions {
  /** One route per source, at `/webhooks/<name>`. */
  readonly sources: readonly WebhookSourceOptions[];
  readonly routes: RoutingTable;
  readonly inbox: EventInbox;
  /** The largest body read; bigger bodies are refused with 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** The clock timestamps are checked against and arrival is recorded with. Default the system clock. */
  readonly clock?: Clock;
  /** Told after a delivery is durable, new or duplicate (the workers' cue to look at the inbox). */
  readonly onStored?: (outcome: AcceptOutcome) => void;
  /** Told of every refusal, and of every delivery the inbox could not store. */
  readonly onRefused?: (source: string, refusal: DeliveryRefused | InboxUnavailable) => void;
  /** Counts each request's outcome, and is served at `GET /metrics`. */
  readonly metrics?: EventMetrics;
}

/** The receiver's routes as a Hono app: `app.fetch` serves a web `Request`. */
/** What the receiver answers a delivery: the status and the JSON body. */
export interface ReceiverAnswer {
  readonly status: 200 | 202 | 400 | 401 | 413 | 415 | 503;
  readonly body: AcceptOutcome | { readonly refused: string; readonly reason: string };
  /** The refusal or storage failure behind a 4xx or 503, for logs. */
  readonly error?: DeliveryRefused | InboxUnavailable;
}

/** What one delivery needs besides the request: the configured pieces of a receiver. */
export interface DeliveryPipeline {
  readonly routes: RoutingTable;
  readonly inbox: EventInbox;
  readonly maxBodyBytes: number;
  readonly clock: Clock;
}

// #region verify-store-acknowledge
/**
 * Handles one delivery to `source`, in the order that costs least first: headers (the body is
 * not read when they are refused), the body read within the size limit, the signature over
 * its raw bytes, the JSON, then the inbox. Only a delivery the inbox has made durable is
 * answered 2xx: 202 when new (routed or not), 200 when a duplicate. The HTTP route is a thin
 * wrapper around this, so the property tests drive exactly what the server runs.
 */
export async function receiveDelivery(
  pipeline: DeliveryPipeline,
  source: WebhookSource,
  header: HeaderReader,
  readBody: (limit: number) => Promise<Uint8Array>,
): Promise<ReceiverAnswer> {
  let delivery: VerifiedDelivery;
  try {
    const headers = checkDeliveryHeaders(source, header, readClock(pipeline.clock, "the receiver's clock"));
    delivery = verifyDeliveryBody(source, headers, await readBody(pipeline.maxBodyBytes));
  } catch (error) {
    if (!(error instanceof DeliveryRefused)) throw error;
    return { status: error.status, body: { refused: error.code, reason: error.message }, error };
  }
  const agent = routeEvent(pipeline.routes, delivery.eventType);
  try {
    const outcome = await pipeline.inbox.accept(delivery, agent, readClock(pipeline.clock, "the receiver's clock"));
    return { status: outcome.status === 'duplicate' ? 200 : 202, body: outcome };
  } catch (cause) {
    const error = new InboxUnavailable(source.name, delivery.deliveryId, { cause });
    return { status: 503, body: { refused: 'inbox-unavailable', reason: 'the event could not be stored; deliver it again later' }, error };
  }
}
// #endregion verify-store-acknowledge

/** The receiver's routes as a Hono app: `app.fetch` serves a web `Request`. */
export function createReceiverApp(options: ReceiverOptions): Hono<{ Bindings: Partial<HttpBindings> }> {
  const sources = options.sources.map(defineSource);
  const names = new Set<string>();
  for (const source of sources) {
    if (names.has(source.name)) throw new InvalidOptionError('sources', 'sources with distinct names', source.name);
    names.add(source.name);
  }
  const pipeline: DeliveryPipeline = {
    routes: defineRoutes(options.routes),
    inbox: options.inbox,
    maxBodyBytes: wholeNumber('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 1, 64 * 1_048_576),
    clock: options.clock ?? systemClock,
  };
  const onStored = options.onStored ?? (() => {});
  const onRefused = options.onRefused ?? (() => {});
  const metrics = options.metrics;

  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();
  for (const source of sources) {
    app.post(`/webhooks/${source.name}`, async (c) => {
      metrics?.received(source.name);
      // On Node's server, read the request's own stream: the web stream over it costs about a
      // fifth of the throughput (measured with the benchmark's load).
      const incoming = c.env?.incoming;
      const readBody = (limit: number): Promise<Uint8Array> => (incoming === undefined ? readBodyWithin(c.req.raw, limit) : readNodeBodyWithin(incoming, limit));
      const answer = await receiveDelivery(pipeline, source, (name) => c.req.header(name), readBody);
      if (metrics !== undefined) countAnswer(metrics, source.name, answer);
      if (answer.error !== undefined) onRefused(source.name, answer.error);
      else onStored(answer.body as AcceptOutcome);
      if (answer.status === 503) return c.json(answer.body, 503, { 'retry-after': '5' });
      // A refused request may still be sending its body: close the connection rather than read it.
      if (answer.status >= 400) return c.json(answer.body, answer.status, { connection: 'close' });
      return c.json(answer.body, answer.status);
    });
  }
  if (metrics !== undefined) {
    app.get('/metrics', async (c) => {
      try {
        const { contentType, body } = await metrics.scrape();
        return c.body(body, 200, { 'content-type': contentType });
      } catch (error) {
        return c.text(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`, 503);
      }
    });
  }
  return app;
}

function countAnswer(metrics: EventMetrics, source: string, answer: ReceiverAnswer): void {
  if (answer.error instanceof DeliveryRefused) return metrics.rejected(source, answer.error.code);
  metrics.verified(source);
  if (answer.error instanceof InboxUnavailable) metrics.rejected(source, 'inbox-unavailable');
  else if (answer.status === 200) metrics.deduplicated(source);
}

/**
 * Reads a request body of at most `limit` bytes: a declared Content-Length over the limit is
 * refused before a byte is read, and a body without one is counted as it streams in and cut
 * off at the first chunk past the limit. Throws `DeliveryRefused('body-too-large')`.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = (): DeliveryRefused => new DeliveryRefused('body-too-large', `body is larger than ${limit} bytes`);
  const declared = request.headers.get('content-length');
  if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > limit) throw tooLarge();
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/**
 * `readBodyWithin` for a Node request: a declared Content-Length over `limit` is refused before
 * a byte is read; otherwise bytes are counted as they arrive and reading stops at the first
 * chunk past the limit. Throws `DeliveryRefused('body-too-large')`.
 */
export function readNodeBodyWithin(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  const tooLarge = (): DeliveryRefused => new DeliveryRefused('body-too-large', `body is larger than ${limit} bytes`);
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && /^[0-9]+$/.test(declared) && Number(declared) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        incoming.off('data', onData);
        incoming.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(Buffer.concat(chunks, size)));
    incoming.once('error', reject);
  });
}

/** A receiver listening on a port. */
export interface RunningReceiver {
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and closes idle ones; resolves when the server has closed. */
  close(): Promise<void>;
}

/** Serves the receiver on `host:port` (default 127.0.0.1 and a free port). */
export async function startReceiver(options: ReceiverOptions & { readonly host?: string; readonly port?: number }): Promise<RunningReceiver> {
  const app = createReceiverApp(options);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }) as Server;
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error === undefined ? done() : fail(error)));
            server.closeIdleConnections();
          }),
      });
    });
  });
}
