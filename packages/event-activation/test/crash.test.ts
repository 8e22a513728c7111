// A real process kill between the 2xx and the end of the handler loses nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInbox } from '../src/index.ts';
import { openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';
import { kill9, startChild } from './support/child.ts';
import { signedStandardRequest } from './support/deliveries.ts';
import { waitUntil } from './support/wait.ts';

describe('a receiver process killed with SIGKILL after it acknowledged an event', () => {
  let backend: Backend;
  let inbox: EventInbox;
  beforeAll(async () => {
    backend = await openBackend('server');
    inbox = await backend.openInbox();
  });
  afterAll(async () => {
    await backend.close();
  });
  const serverUrl = (): string => backend.url ?? '';

  it('hands the event to the next process, which handles it and marks it done once', async () => {
    const first = startChild('receiver-process.ts', { INBOX_URL: serverUrl(), HANDLER: 'hang' });
    try {
      const url = (await first.line(/^listening /)).slice('listening '.length);
      const { headers, body } = signedStandardRequest('msg_killed', Date.now());
      const response = await fetch(`${url}/webhooks/billing`, { method: 'POST', headers, body });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ status: 'accepted', agent: 'ledger-agent' });
      expect(await first.line(/^started msg_killed/)).toBe('started msg_killed attempt 1');
    } finally {
      await kill9(first);
    }
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await inbox.get('billing', 'msg_killed')).toMatchObject({ state: 'pending', attempts: 1 });

    const second = startChild('receiver-process.ts', { INBOX_URL: serverUrl(), HANDLER: 'finish' });
    try {
      await second.line(/^listening /);
      // The first process's lease (1 s) runs out; then the second claims the event.
      expect(await second.line(/^handled msg_killed/)).toBe('handled msg_killed attempt 2');
      await waitUntil('the event is marked done', async () => (await inbox.get('billing', 'msg_killed'))?.state === 'done');
    } finally {
      second.process.kill('SIGTERM');
      const exit = await second.exited;
      expect(exit.code).toBe(0);
      expect(exit.stdout.match(/^handled msg_killed/gm)).toHaveLength(1);
    }
    expect(await inbox.get('billing', 'msg_killed')).toMatchObject({ state: 'done', attempts: 2 });
    expect(await inbox.depth()).toEqual({ pending: 0, done: 1, unrouted: 0 });
  });
});
