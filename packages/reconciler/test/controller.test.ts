import { describe, expect, it, vi } from 'vitest';
import { Controller, ControllerStateError, sleep, TerminalError, VirtualScheduler } from '../src/index.ts';
import type { ControllerEvent, ControllerOptions, Reconcile } from '../src/index.ts';
import { expectInvalidOption } from './helpers.ts';

function setup(reconcile: Reconcile, options: Partial<ControllerOptions> = {}) {
  const scheduler = new VirtualScheduler();
  const events: ControllerEvent[] = [];
  const controller = new Controller({
    reconcile,
    listKeys: () => [],
    resyncEveryMs: 3_600_000,
    scheduler,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { scheduler, controller, events };
}

function retryDelays(events: readonly ControllerEvent[]): number[] {
  return events.flatMap((event) => (event.type === 'retry-scheduled' ? [event.delayMs] : []));
}

describe('Controller', () => {
  it('reconciles every listed key once at start', async () => {
    const seen: string[] = [];
    const { scheduler, controller } = setup(
      async (key) => {
        seen.push(key);
      },
      { listKeys: () => ['a', 'b', 'c'] },
    );
    void controller.start();
    await scheduler.advanceBy(0);
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
  });

  it('retries a failing key with exponential back-off up to the cap, at those times', async () => {
    const attempts: number[] = [];
    const { scheduler, controller, events } = setup(
      async () => {
        attempts.push(scheduler.now());
        throw new Error('runtime said no');
      },
      { backoff: { baseMs: 100, capMs: 1_000 } },
    );
    void controller.start();
    controller.enqueue('a');
    await scheduler.advanceBy(5_000);
    expect(retryDelays(events).slice(0, 7)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    expect(attempts.slice(0, 6)).toEqual([0, 100, 300, 700, 1_500, 2_500]);
  });

  it('starts again from the base delay after a success', async () => {
    let failing = true;
    const { scheduler, controller, events } = setup(async () => {
      if (failing) throw new Error('not yet');
    });
    void controller.start();
    controller.enqueue('a');
    await scheduler.advanceBy(250);
    failing = false;
    await scheduler.advanceBy(1_000);
    failing = true;
    controller.enqueue('a');
    await scheduler.advanceBy(0);
    expect(retryDelays(events)).toEqual([100, 200, 100]);
  });

  it('does not retry a TerminalError', async () => {
    let attempts = 0;
    const { scheduler, controller, events } = setup(async () => {
      attempts++;
      throw new TerminalError('spec names a model nobody serves');
    });
    void controller.start();
    controller.enqueue('a');
    await scheduler.advanceBy(600_000);
    expect(attempts).toBe(1);
    expect(events).toContainEqual({ type: 'gave-up', key: 'a', error: new TerminalError('spec names a model nobody serves') });
  });

  it('looks at a key again after requeueAfter, without an event', async () => {
    const attempts: number[] = [];
    const { scheduler, controller } = setup(async () => {
      attempts.push(scheduler.now());
      return attempts.length < 3 ? { requeueAfter: 2_000 } : undefined;
    });
    void controller.start();
    controller.enqueue('a');
    await scheduler.advanceBy(60_000);
    expect(attempts).toEqual([0, 2_000, 4_000]);
  });

  it.each([
    [-5, '-5 (number)'],
    [Number.NaN, 'NaN (number)'],
    [1e20, '100000000000000000000 (number)'],
    ['5000', '"5000" (string)'],
  ])('treats requeueAfter %s as a failure whose message says what to return', async (requeueAfter, shown) => {
    const { scheduler, controller, events } = setup(async () => ({ requeueAfter }) as never);
    void controller.start();
    controller.enqueue('a');
    await scheduler.advanceBy(0);
    const retry = events.find((event) => event.type === 'retry-scheduled');
    expect(retry?.type === 'retry-scheduled' && String(retry.error)).toBe(
      `InvalidReconcileResult: Reconcile of "a" returned requeueAfter ${shown}; return a number of milliseconds from 0 to 3153600000000 (100 years), or nothing.`,
    );
  });

  it('runs at most `workers` reconciles at once, never two on one key, and runs a key re-added in flight once more', async () => {
    const inFlight = new Set<string>();
    let most = 0;
    const overlaps: string[] = [];
    const passes = new Map<string, number>();
    const scheduler = new VirtualScheduler();
    const controller = new Controller({
      scheduler,
      workers: 3,
      listKeys: () => [],
      reconcile: async (key) => {
        if (inFlight.has(key)) overlaps.push(key);
        inFlight.add(key);
        most = Math.max(most, inFlight.size);
        passes.set(key, (passes.get(key) ?? 0) + 1);
        await sleep(scheduler, 50);
        inFlight.delete(key);
      },
    });
    void controller.start();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const key of keys) controller.enqueue(key);
    await scheduler.advanceBy(10);
    for (const key of keys) controller.enqueue(key);
    await scheduler.advanceBy(1_000);
    expect(overlaps).toEqual([]);
    expect(most).toBe(3);
    // a, b and c were in flight when re-added: one more pass each. d, e and f were still
    // queued: the re-add merged into the entry already waiting.
    expect(keys.map((key) => passes.get(key))).toEqual([2, 2, 2, 1, 1, 1]);
  });

  it('spaces reconciles by the token bucket once the burst is spent', async () => {
    const starts: number[] = [];
    const { scheduler, controller } = setup(
      async () => {
        starts.push(scheduler.now());
      },
      { workers: 1, rateLimit: { perSecond: 10, burst: 2 }, listKeys: () => ['a', 'b', 'c', 'd', 'e'] },
    );
    void controller.start();
    await scheduler.advanceBy(1_000);
    expect(starts).toEqual([0, 0, 100, 200, 300]);
  });

  it('queues every key each resync period even when no event arrives', async () => {
    const seen: number[] = [];
    const { scheduler, controller } = setup(
      async () => {
        seen.push(scheduler.now());
      },
      { listKeys: () => ['a'], resyncEveryMs: 30_000 },
    );
    void controller.start();
    await scheduler.advanceBy(95_000);
    expect(seen).toEqual([0, 30_000, 60_000, 90_000]);
  });

  it('reports a failed listing as resync-failed and lists again at the next period', async () => {
    let listings = 0;
    const { scheduler, controller, events } = setup(async () => undefined, {
      resyncEveryMs: 1_000,
      listKeys: () => {
        listings++;
        if (listings === 1) throw new Error('listing timed out');
        return ['a'];
      },
    });
    void controller.start();
    await scheduler.advanceBy(1_000);
    expect(events.slice(0, 3)).toEqual([
      { type: 'resync-failed', error: new Error('listing timed out') },
      { type: 'resynced', keys: 1 },
      { type: 'reconciled', key: 'a' },
    ]);
  });

  it('on shutdown waits for reconciles in flight, drops queued keys and starts nothing new', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const { scheduler, controller } = setup(
      async (key) => {
        started.push(key);
        await sleep(scheduler, 100);
        finished.push(key);
        throw new Error('would be retried');
      },
      { workers: 2, listKeys: () => ['a', 'b', 'c', 'd'] },
    );
    void controller.start();
    await scheduler.advanceBy(10);
    let stopped = false;
    const stopping = controller.shutdown().then(() => (stopped = true));
    controller.enqueue('e');
    await scheduler.advanceBy(50);
    expect(stopped).toBe(false);
    await scheduler.advanceBy(50);
    await stopping;
    expect(started).toEqual(['a', 'b']);
    expect(finished).toEqual(['a', 'b']);
    expect(controller.queue.delayedKeys()).toEqual([]);
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('refuses to start twice, saying what to do instead', () => {
    const { controller } = setup(async () => undefined);
    void controller.start();
    expect(() => controller.start()).toThrow(new ControllerStateError('Cannot start a controller that is running; create a new Controller instead.'));
  });

  it('rejects zero workers, naming the option and the value', () => {
    expect(() => setup(async () => undefined, { workers: 0 })).toThrow('Expected `workers` to be a whole number from 1 up, got 0 (number).');
  });

  it.each([
    ['resyncEveryMs', { resyncEveryMs: Number.NaN }, 'NaN (number)'],
    ['resyncEveryMs', { resyncEveryMs: -30_000 }, '-30000 (number)'],
    ['resyncEveryMs', { resyncEveryMs: Number.POSITIVE_INFINITY }, 'Infinity (number)'],
    ['reconcileTimeoutMs', { reconcileTimeoutMs: 0 }, '0 (number)'],
    ['reconcileTimeoutMs', { reconcileTimeoutMs: 4e12 }, '4000000000000 (number)'],
  ])('rejects a %s that is not a duration, naming the option and the value', (option, options, shown) => {
    expectInvalidOption(
      () => setup(async () => undefined, options),
      option,
      `Expected \`${option}\` to be a duration in ms from 1 to 3153600000000 (100 years), got ${shown}.`,
    );
  });

  it('spaces reconciles on the monotonic clock, so a wall clock stepped back an hour does not stall the rate limiter', async () => {
    const starts: number[] = [];
    const { scheduler, controller } = setup(
      async () => {
        starts.push(scheduler.monotonicNow());
      },
      { workers: 1, rateLimit: { perSecond: 10, burst: 1 }, listKeys: () => ['a', 'b', 'c', 'd'] },
    );
    void controller.start();
    await scheduler.advanceBy(0);
    scheduler.stepWallClock(-3_600_000);
    await scheduler.advanceBy(1_000);
    expect(starts).toEqual([0, 100, 200, 300]);
  });
});

describe('Controller listeners', () => {
  it('keeps every worker and the resync running when an onEvent listener throws, and hands the error to onListenerError', async () => {
    const seen: string[] = [];
    const listenerErrors: string[] = [];
    let listings = 0;
    const { scheduler, controller } = setup(
      async (key) => {
        seen.push(key);
        if (key === 'bad') throw new Error('runtime said no');
      },
      {
        workers: 1,
        resyncEveryMs: 1_000,
        listKeys: () => {
          listings++;
          return ['a', 'b', 'bad'];
        },
        onEvent: () => {
          throw new Error('listener broke');
        },
        onListenerError: (error, event) => listenerErrors.push(`${event.type}: ${String(error)}`),
      },
    );
    await controller.start();
    await scheduler.advanceBy(2_500);
    expect(listings).toBe(3);
    expect(seen.filter((key) => key === 'a')).toHaveLength(3);
    expect(seen.filter((key) => key === 'b')).toHaveLength(3);
    // Back-off retries of "bad" at 100, 300, 700 and 1,500 ms, plus the resync passes.
    expect(seen.filter((key) => key === 'bad').length).toBeGreaterThanOrEqual(5);
    expect(new Set(listenerErrors)).toEqual(
      new Set(['resynced: Error: listener broke', 'reconciled: Error: listener broke', 'retry-scheduled: Error: listener broke']),
    );
    expect(scheduler.callbackErrors).toEqual([]);
  });

  it('reports a listener whose promise rejects instead of leaving the rejection unhandled', async () => {
    const listenerErrors: unknown[] = [];
    const { scheduler, controller } = setup(async () => undefined, {
      listKeys: () => ['a'],
      onEvent: async (event) => {
        if (event.type === 'reconciled') throw new Error('async listener broke');
      },
      onListenerError: (error) => listenerErrors.push(error),
    });
    void controller.start();
    await scheduler.advanceBy(0);
    expect(listenerErrors).toEqual([new Error('async listener broke')]);
  });

  it('writes a listener error to the console by default, naming the event, and goes on', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const seen: string[] = [];
      const { scheduler, controller } = setup(
        async (key) => {
          seen.push(key);
        },
        {
          workers: 1,
          listKeys: () => ['a', 'b'],
          onEvent: (event) => {
            if (event.type === 'reconciled') throw new Error('listener broke');
          },
        },
      );
      void controller.start();
      await scheduler.advanceBy(0);
      expect(seen).toEqual(['a', 'b']);
      expect(printed.mock.calls).toEqual([
        ['Controller: an onEvent listener threw on a "reconciled" event; the loop went on. Fix the listener, or pass onListenerError to handle this.', new Error('listener broke')],
        ['Controller: an onEvent listener threw on a "reconciled" event; the loop went on. Fix the listener, or pass onListenerError to handle this.', new Error('listener broke')],
      ]);
    } finally {
      printed.mockRestore();
    }
  });
});

describe('Controller.queue', () => {
  it('is a read-only view: outside code finds no method to end a pass early, add or take a key', async () => {
    let release: () => void = () => undefined;
    const { scheduler, controller } = setup(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
      { listKeys: () => ['a'] },
    );
    void controller.start();
    await scheduler.advanceBy(0);
    const view = controller.queue as unknown as Record<string, unknown>;
    for (const method of ['add', 'addAfter', 'take', 'done', 'shutDown', 'whenIdle']) expect(view[method]).toBeUndefined();
    expect(Object.isFrozen(view)).toBe(true);
    expect(controller.queue.processingKeys()).toEqual(['a']);
    controller.enqueue('a');
    expect([controller.queue.queuedKeys(), controller.queue.delayedKeys()]).toEqual([[], []]);
    release();
    await scheduler.advanceBy(0);
    expect(controller.queue.processingKeys()).toEqual(['a']);
  });
});
