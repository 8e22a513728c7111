import { describe, expect, it } from 'vitest';
import { InvalidOptionError, VirtualScheduler } from '@12-factor-agentops/core';
import { InboxWorkers, MemoryInbox } from '../src/index.ts';
import type { InboxEvent, WorkOutcome } from '../src/index.ts';
import { delivery } from './support/deliveries.ts';
import { waitUntil } from './support/wait.ts';

describe('inbox workers', () => {
  it('retry an event whose handler threw, after the retry delay, and mark it done once it succeeds', async () => {
    const inbox = new MemoryInbox();
    await inbox.accept(delivery('msg_flaky'), 'ledger-agent', Date.now());
    const attempts: number[] = [];
    const outcomes: WorkOutcome[] = [];
    const workers = new InboxWorkers({
      inbox,
      retryDelayMs: 100,
      pollIntervalMs: 20,
      onOutcome: (outcome) => outcomes.push(outcome),
      agents: {
        'ledger-agent': async (event) => {
          attempts.push(event.attempt);
          if (event.attempt < 3) throw new Error(`upstream answered 502 on attempt ${event.attempt}`);
        },
      },
    }).start();
    try {
      await waitUntil('the event is done', async () => (await inbox.get('billing', 'msg_flaky'))?.state === 'done');
    } finally {
      await workers.stop();
    }
    expect(attempts).toEqual([1, 2, 3]);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['failed', 'failed', 'handled']);
    expect(await inbox.get('billing', 'msg_flaky')).toMatchObject({ attempts: 3, lastError: 'Error: upstream answered 502 on attempt 2' });
  });

  it('renew the lease of a handler that outlasts it, so no second worker takes the event', async () => {
    // Virtual time: on a loaded machine a real 200 ms lease can lapse while the event loop
    // stalls, and then a second worker rightly takes the event. Here only the renewals decide.
    const scheduler = new VirtualScheduler(Date.parse('2026-01-05T09:00:00Z'));
    const inbox = new MemoryInbox();
    await inbox.accept(delivery('msg_slow'), 'ledger-agent', scheduler.now());
    const started: InboxEvent[] = [];
    const slow = async (event: InboxEvent, context: { readonly signal: AbortSignal }): Promise<void> => {
      started.push(event);
      await new Promise<void>((resolve) => scheduler.setTimer(700, resolve));
      expect(context.signal.aborted).toBe(false);
    };
    const workers = new InboxWorkers({ inbox, leaseTtlMs: 200, pollIntervalMs: 20, concurrency: 3, scheduler, agents: { 'ledger-agent': slow } }).start();
    try {
      for (let elapsed = 0; elapsed < 2_000 && (await inbox.get('billing', 'msg_slow'))?.state !== 'done'; elapsed += 10) await scheduler.advanceBy(10);
    } finally {
      // Stopping waits for handlers in flight, whose timers run on virtual time.
      let stopped = false;
      const stopping = workers.stop().then(() => (stopped = true));
      for (let elapsed = 0; elapsed < 10_000 && !stopped; elapsed += 100) await scheduler.advanceBy(100);
      await stopping;
    }
    expect(await inbox.get('billing', 'msg_slow')).toMatchObject({ state: 'done', attempts: 1 });
    expect(started.map((event) => event.attempt)).toEqual([1]);
  });

  it('abort the handler signal when the lease is lost, and leave the event to the worker that holds it', async () => {
    const inbox = new MemoryInbox();
    await inbox.accept(delivery('msg_lost'), 'ledger-agent', Date.now());
    let aborted = false;
    const workers = new InboxWorkers({
      inbox,
      leaseTtlMs: 150,
      agents: {
        'ledger-agent': async (_event, { signal }) => {
          // Another worker takes the event as if this one had paused past its lease.
          const stolen = await inbox.claim('thief', Date.now() + 10_000, 60_000);
          expect(stolen?.record.deliveryId).toBe('msg_lost');
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          aborted = signal.aborted;
        },
      },
    });
    const outcome = await workers.handleNext();
    expect(aborted).toBe(true);
    expect(outcome.outcome).toBe('lease-lost');
    expect((await inbox.get('billing', 'msg_lost'))?.state).toBe('pending');
  });

  it('fail an event routed to an agent that has no handler, and keep it for later', async () => {
    const inbox = new MemoryInbox();
    await inbox.accept(delivery('msg_orphan'), 'missing-agent', Date.now());
    const outcome = await new InboxWorkers({ inbox, agents: {} }).handleNext();
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'Error: no handler is registered for agent "missing-agent"' });
    expect(await inbox.get('billing', 'msg_orphan')).toMatchObject({ state: 'pending', lastError: 'Error: no handler is registered for agent "missing-agent"' });
  });

  it('refuse bad options', () => {
    const inbox = new MemoryInbox();
    expect(() => new InboxWorkers({ inbox, agents: {}, concurrency: 0 })).toThrow(InvalidOptionError);
    expect(() => new InboxWorkers({ inbox, agents: {}, leaseTtlMs: Number.NaN })).toThrow('Expected `leaseTtlMs` to be a duration in ms');
  });
});
