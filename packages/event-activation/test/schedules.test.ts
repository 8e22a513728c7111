import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, VirtualScheduler } from '@12-factor-agentops/core';
import { InboxWorkers, MemoryInbox, ScheduleEmitter, scheduleSlot } from '../src/index.ts';
import type { EventInbox, InboxEvent } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';

const DIGEST = { name: 'daily-digest', cron: '0 6 * * *', eventType: 'digest.daily' };
const AT = Date.UTC(2026, 11, 2, 9, 30, 0);

describe('schedule slots', () => {
  it('is the latest time the expression names at or before now, in UTC', () => {
    expect(scheduleSlot('0 6 * * *', AT)).toBe(Date.UTC(2026, 11, 2, 6, 0, 0));
    expect(scheduleSlot('0 6 * * *', Date.UTC(2026, 11, 2, 6, 0, 0))).toBe(Date.UTC(2026, 11, 2, 6, 0, 0));
    expect(scheduleSlot('0 6 * * *', Date.UTC(2026, 11, 2, 5, 59, 59, 999))).toBe(Date.UTC(2026, 11, 1, 6, 0, 0));
    expect(scheduleSlot('*/15 * * * *', AT + 14 * 60_000)).toBe(AT);
  });

  it('refuses a bad schedule when it is configured', () => {
    const make = (schedule: typeof DIGEST) => new ScheduleEmitter({ inbox: {} as EventInbox, routes: {}, schedules: [schedule] });
    expect(() => make({ ...DIGEST, cron: '0 6 * *' })).toThrow(new InvalidOptionError('schedules[0].cron', 'a five-field cron expression', '0 6 * *'));
    expect(() => make({ ...DIGEST, cron: '0 25 * * *' })).toThrow(/Expected `schedules\[0\].cron` to be a valid five-field cron expression/);
    expect(() => make({ ...DIGEST, name: 'Daily Digest' })).toThrow(InvalidOptionError);
  });
});

describe.each(BACKENDS)('schedules on %s', (kind) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(kind);
  });
  afterAll(async () => {
    await backend.close();
  });

  it('turns one slot into one event when two instances run the same schedule at the same moment', async () => {
    const scheduler = new VirtualScheduler(AT);
    const instances = await Promise.all(
      [1, 2].map(async () => new ScheduleEmitter({ inbox: await backend.openInbox(), routes: { 'digest.daily': 'digest-agent' }, schedules: [DIGEST], scheduler })),
    );
    const outcomes = (await Promise.all(instances.map((instance) => instance.emitDue()))).flat();
    expect(outcomes.map((outcome) => outcome.outcome.status).sort()).toEqual(['accepted', 'duplicate']);
    expect(outcomes.every((outcome) => outcome.slot === Date.UTC(2026, 11, 2, 6, 0, 0))).toBe(true);

    const inbox = await backend.openInbox();
    const handled: InboxEvent[] = [];
    const workers = new InboxWorkers({
      inbox,
      scheduler,
      agents: {
        'digest-agent': async (event) => {
          handled.push(event);
        },
      },
    });
    expect((await workers.handleNext()).outcome).toBe('handled');
    expect((await workers.handleNext()).outcome).toBe('idle');
    expect(handled).toEqual([
      {
        source: 'schedule',
        deliveryId: 'daily-digest@2026-12-02T06:00:00.000Z',
        eventType: 'digest.daily',
        agent: 'digest-agent',
        payload: { type: 'digest.daily', schedule: 'daily-digest', slot: '2026-12-02T06:00:00.000Z' },
        receivedAt: AT,
        attempt: 1,
      },
    ]);

    // Later the same day: still the same slot, nothing new. The next morning: the next slot.
    await scheduler.advanceBy(6 * 3_600_000);
    expect((await instances[0]?.emitDue())?.map((outcome) => outcome.outcome.status)).toEqual(['duplicate']);
    await scheduler.advanceBy(18 * 3_600_000);
    expect((await instances[1]?.emitDue())?.map((outcome) => [outcome.outcome.status, new Date(outcome.slot).toISOString()])).toEqual([
      ['accepted', '2026-12-03T06:00:00.000Z'],
    ]);
  });
});

describe('a running schedule emitter', () => {
  it('emits at start and on each tick, and stops', async () => {
    const inbox = new MemoryInbox();
    const scheduler = new VirtualScheduler(AT);
    const stored: string[] = [];
    const emitter = new ScheduleEmitter({
      inbox,
      routes: { 'report.quarter-hour': 'report-agent' },
      schedules: [{ name: 'quarter-hour', cron: '*/15 * * * *', eventType: 'report.quarter-hour' }],
      scheduler,
      tickMs: 60_000,
      onStored: (outcome) => stored.push(outcome.status),
    }).start();
    await waitForTicks();
    expect(stored).toEqual(['accepted']);
    for (let minute = 0; minute < 30; minute++) {
      await scheduler.advanceBy(60_000);
      await waitForTicks();
    }
    await emitter.stop();
    expect(stored).toEqual(['accepted', 'accepted', 'accepted']);
    expect(await inbox.depth()).toEqual({ pending: 3, done: 0, unrouted: 0 });
  });
});

async function waitForTicks(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}
