import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Controller } from '../src/index.ts';
import type { ControllerOptions } from '../src/index.ts';

// These tests run the controller on its default scheduler, the system's, with Node's timers
// faked: a fake setTimeout, like the real one, turns a delay past 2^31 - 1 ms into 1 ms.
const DAY = 86_400_000;
const MAX_NODE_TIMER_MS = 2 ** 31 - 1;

let armed: number[] = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  armed = [];
  const fakeSetTimeout = globalThis.setTimeout;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, delay?: number) => {
    armed.push(delay ?? 0);
    return fakeSetTimeout(callback, delay);
  }) as typeof setTimeout);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

function startController(options: Partial<ControllerOptions> & Pick<ControllerOptions, 'reconcile'>): Controller {
  const controller = new Controller({ listKeys: () => ['a'], resyncEveryMs: 365 * DAY, ...options });
  void controller.start();
  return controller;
}

describe('delays longer than a Node timer can hold', () => {
  it('looks at a key again after a 30-day requeueAfter, not 1 ms later', async () => {
    const started = Date.now();
    const passes: number[] = [];
    const controller = startController({
      reconcile: async () => {
        passes.push(Date.now() - started);
        return { requeueAfter: 30 * DAY };
      },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(passes).toEqual([0]);
    await vi.advanceTimersByTimeAsync(30 * DAY - 1_000);
    expect(passes).toEqual([0, 30 * DAY]);
    expect(Math.max(...armed)).toBeLessThanOrEqual(MAX_NODE_TIMER_MS);
    await controller.shutdown();
  });

  it('resyncs every 30 days when asked to, not in a hot loop', async () => {
    let listings = 0;
    const controller = startController({
      reconcile: async () => undefined,
      listKeys: () => {
        listings++;
        return ['a'];
      },
      resyncEveryMs: 30 * DAY,
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(listings).toBe(1);
    await vi.advanceTimersByTimeAsync(30 * DAY);
    expect(listings).toBe(2);
    expect(Math.max(...armed)).toBeLessThanOrEqual(MAX_NODE_TIMER_MS);
    await controller.shutdown();
  });

  it('backs off 25 days and then 30 days after failures when the back-off is set that long', async () => {
    const started = Date.now();
    const passes: number[] = [];
    const controller = startController({
      reconcile: async () => {
        passes.push(Date.now() - started);
        throw new Error('runtime said no');
      },
      backoff: { baseMs: 25 * DAY, capMs: 30 * DAY },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(passes).toEqual([0]);
    await vi.advanceTimersByTimeAsync(55 * DAY);
    expect(passes).toEqual([0, 25 * DAY, 55 * DAY]);
    expect(Math.max(...armed)).toBeLessThanOrEqual(MAX_NODE_TIMER_MS);
    await controller.shutdown();
  });
});
