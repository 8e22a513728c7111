// One-way telemetry: a mission's accepted records, streamed as Server-Sent Events. The server
// only reads the store; it has no ownership and no route that writes, so nothing that arrives
// on this channel can change a mission. A client that reconnects sends `Last-Event-ID` and gets
// what it missed, because each event's id is the record's position in the journal.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { durationMs } from '@12-factor-agentops/core';
import { DEFAULT_POLL_INTERVAL_MS } from './defaults.ts';
import { JournalCorrupt, MissionNotFound, UnknownMissionState } from './errors.ts';
import { isMissionId, replay } from './journal.ts';
import type { StoredRecord } from './journal.ts';
import { isTerminal } from './lifecycle.ts';
import type { MissionStore } from './store.ts';

export interface TelemetryServerOptions {
  readonly store: MissionStore;
  /** Default 127.0.0.1: telemetry is not meant for the open network without a proxy in front. */
  readonly host?: string;
  /** Default 0: a free port, read it from `url`. */
  readonly port?: number;
  /** How often an open stream looks for new records; default 1000 ms. */
  readonly pollIntervalMs?: number;
}

export interface TelemetryServer {
  /** `http://host:port`; streams are at `/missions/<id>/events`. */
  readonly url: string;
  close(): Promise<void>;
}

/** One record as an SSE event: `id` is its position, `event` its kind, `data` the record as JSON. */
export function formatEvent(stored: StoredRecord): string {
  return `id: ${stored.seq}\nevent: ${stored.record.kind}\ndata: ${JSON.stringify(stored.record)}\n\n`;
}

/** Starts the telemetry endpoint on a real HTTP port. */
export async function startTelemetryServer(options: TelemetryServerOptions): Promise<TelemetryServer> {
  const pollIntervalMs = durationMs('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, { min: 10, max: 3_600_000 });
  const streams = new Set<ServerResponse>();
  const server: Server = createServer((request, response) => {
    void handle(options.store, pollIntervalMs, streams, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      for (const stream of streams) stream.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(store: MissionStore, pollIntervalMs: number, streams: Set<ServerResponse>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const match = /^\/missions\/([^/?]+)\/events(?:\?.*)?$/.exec(request.url ?? '');
  if (match === null) return answer(404, { error: 'not found: streams are at /missions/<id>/events' });
  // One way: this endpoint accepts nothing that could change a mission.
  if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, { error: 'telemetry is read-only: only GET' }, { allow: 'GET, HEAD' });
  const missionId = decodeURIComponent(match[1] as string);
  if (!isMissionId(missionId)) return answer(400, { error: `not a mission id: ${JSON.stringify(missionId)}` });
  const header = request.headers['last-event-id'];
  const lastEventId = Array.isArray(header) ? header[0] : header;
  if (lastEventId !== undefined && !/^(0|[1-9][0-9]{0,15})$/.test(lastEventId)) {
    return answer(400, { error: `Last-Event-ID must be a record position (a whole number), got ${JSON.stringify(lastEventId)}` });
  }
  let after = lastEventId === undefined ? 0 : Number(lastEventId);
  const accepted = async () => {
    const mission = replay(missionId, await store.read(missionId), store.locate(missionId));
    return { mission, fresh: mission.accepted.filter((s) => s.seq > after) };
  };
  let first;
  try {
    first = await accepted();
  } catch (error) {
    if (error instanceof MissionNotFound) return answer(404, { error: error.message });
    if (error instanceof JournalCorrupt || error instanceof UnknownMissionState) return answer(500, { error: error.message });
    throw error;
  }
  // A finished mission with nothing new: 204 tells an EventSource to stop reconnecting.
  if (isTerminal(first.mission.state) && first.fresh.length === 0) return void response.writeHead(204).end();
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  if (request.method === 'HEAD') return void response.end();
  streams.add(response);
  let closed = false;
  response.on('close', () => {
    closed = true;
    streams.delete(response);
  });
  let batch = first;
  while (!closed) {
    for (const stored of batch.fresh) {
      response.write(formatEvent(stored));
      after = stored.seq;
    }
    if (isTerminal(batch.mission.state)) break;
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    if (closed) break;
    try {
      batch = await accepted();
    } catch (error) {
      response.write(`event: error\ndata: ${JSON.stringify({ error: (error as Error).message })}\n\n`);
      break;
    }
  }
  response.end();
}
