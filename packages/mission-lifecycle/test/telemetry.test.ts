import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '@12-factor-agentops/core';
import { LocalMissionStore, loadMission, resume, startTelemetryServer } from '../src/index.ts';
import type { TelemetryServer, WorkerIdentity } from '../src/index.ts';

const alice: WorkerIdentity = { worker: 'alice', host: 'host-a.example', pid: 4242 };
let root: string;
let store: LocalMissionStore;
let server: TelemetryServer;

interface SseEvent {
  readonly id: string;
  readonly event: string;
  readonly data: unknown;
}

/** Reads a whole SSE response (the server ends it after a final state) into events. */
async function readEvents(response: Response): Promise<SseEvent[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
      return { id: fields.id as string, event: fields.event as string, data: JSON.parse(fields.data as string) as unknown };
    });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mission-sse-'));
  store = await LocalMissionStore.open(root);
  server = await startTelemetryServer({ store, pollIntervalMs: 20 });
});
afterAll(async () => {
  await server.close();
  await store.close();
  await rm(root, { recursive: true, force: true });
});

describe('the telemetry stream', () => {
  it('streams every transition and step of a running mission as it is recorded, and ends after the final state', async () => {
    await store.create('live', ['a', 'b'], Date.now());
    const response = await fetch(`${server.url}/missions/live/events`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = resume('live', { store, worker: alice, steps: { a: () => gate, b: async () => undefined } });
    setTimeout(release, 100);
    await running;
    const events = await readEvents(response);
    expect(events.map((e) => e.event)).toEqual(['created', 'claimed', 'transition', 'transition', 'step-started', 'step-done', 'step-started', 'step-done', 'transition']);
    expect(events.map((e) => Number(e.id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(events.at(-1)?.data).toMatchObject({ event: 'COMPLETE', from: 'running', to: 'completed' });
  });

  it('resumes after Last-Event-ID with only what the client missed, and answers 204 once nothing is left', async () => {
    const after = await fetch(`${server.url}/missions/live/events`, { headers: { 'last-event-id': '6' } });
    expect((await readEvents(after)).map((e) => e.id)).toEqual(['7', '8', '9']);
    const done = await fetch(`${server.url}/missions/live/events`, { headers: { 'last-event-id': '9' } });
    expect(done.status).toBe(204);
  });

  it('is one-way: every method that could carry a change is refused and the mission is unchanged', async () => {
    await store.create('quiet', ['a'], Date.now());
    const before = await store.read('quiet');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await fetch(`${server.url}/missions/quiet/events`, { method, body: JSON.stringify({ event: 'CANCEL' }) });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    expect(await store.read('quiet')).toEqual(before);
    expect((await loadMission(store, 'quiet')).state).toBe('pending');
  });

  it('answers an unknown mission, a bad id, a bad Last-Event-ID and an unknown path with a clear 4xx', async () => {
    const unknown = await fetch(`${server.url}/missions/nobody/events`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('No mission "nobody"');
    expect((await fetch(`${server.url}/missions/..%2Fetc/events`)).status).toBe(400);
    const badId = await fetch(`${server.url}/missions/live/events`, { headers: { 'last-event-id': '-1' } });
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { error: string }).error).toBe('Last-Event-ID must be a record position (a whole number), got "-1"');
    expect((await fetch(`${server.url}/missions`)).status).toBe(404);
  });

  it('refuses a poll interval that is not a duration', async () => {
    for (const pollIntervalMs of [0, Number.NaN, -5, Number.POSITIVE_INFINITY]) {
      await expect(startTelemetryServer({ store, pollIntervalMs })).rejects.toThrow(InvalidOptionError);
    }
  });
});
