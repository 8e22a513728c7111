import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Controller, InvalidOptionError, ReconcileAbandoned, ReconcileTimeout, sleep, VirtualScheduler } from '../src/index.ts';
import type { ControllerEvent, ControllerOptions, Reconcile } from '../src/index.ts';

function setup(reconcile: Reconcile, options: Partial<ControllerOptions> = {}) {
  const scheduler = new VirtualScheduler();
  const events: ControllerEvent[] = [];
  const controller = new Controller({
    reconcile,
    listKeys: () => ['a'],
    resyncEveryMs: 3_600_000,
    scheduler,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { scheduler, controller, events };
}

/** A pass that ends only when its signal aborts, rejecting with the signal's reason. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

describe('reconcile deadline', () => {
  it('gives each reconcile 60 s by default', () => {
    expect(setup(async () => undefined).controller.reconcileTimeoutMs).toBe(60_000);
  });

  it('aborts a reconcile at its deadline, frees its worker for other keys and retries the key with back-off', async () => {
    const starts: string[] = [];
    const signals: AbortSignal[] = [];
    const { scheduler, controller, events } = setup(
      (key, { signal }) => {
        starts.push(`${key}@${scheduler.monotonicNow()}`);
        if (key === 'b') return Promise.resolve();
        signals.push(signal);
        return untilAborted(signal);
      },
      { workers: 1, reconcileTimeoutMs: 1_000, listKeys: () => ['a', 'b'], backoff: { baseMs: 100, capMs: 1_000 } },
    );
    void controller.start();
    await scheduler.advanceBy(999);
    expect([starts, signals[0]?.aborted]).toEqual([['a@0'], false]);
    await scheduler.advanceBy(1);
    expect(signals[0]?.reason).toEqual(new ReconcileTimeout('a', 1_000));
    expect(String(signals[0]?.reason)).toBe(
      'ReconcileTimeout: Reconcile of "a" did not finish within 1000 ms (reconcileTimeoutMs); its signal was aborted and the key will be retried with back-off once the pass has ended. Make the reconcile stop when its signal aborts, or raise reconcileTimeoutMs.',
    );
    await scheduler.advanceBy(100);
    expect(starts).toEqual(['a@0', 'b@1000', 'a@1100']);
    expect(events.filter((event) => event.type !== 'resynced')).toEqual([
      { type: 'retry-scheduled', key: 'a', error: new ReconcileTimeout('a', 1_000), failures: 1, delayMs: 100 },
      { type: 'reconciled', key: 'b' },
    ]);
  });

  it('keeps a key whose pass ignores its signal in flight until that pass ends, so two passes of a key never overlap, and ignores its late result', async () => {
    const running = new Set<string>();
    const overlaps: string[] = [];
    const starts: string[] = [];
    let passes = 0;
    const { scheduler, controller, events } = setup(
      async (key) => {
        if (running.has(key)) overlaps.push(`${key}@${scheduler.monotonicNow()}`);
        running.add(key);
        starts.push(`${key}@${scheduler.monotonicNow()}`);
        try {
          // The first pass of "a" ignores its signal and ends 5 s later, with a result.
          if (key === 'a' && passes++ === 0) {
            await sleep(scheduler, 5_000);
            return { requeueAfter: 1 };
          }
          return undefined;
        } finally {
          running.delete(key);
        }
      },
      { workers: 2, reconcileTimeoutMs: 1_000, backoff: { baseMs: 100, capMs: 1_000 } },
    );
    void controller.start();
    await scheduler.advanceBy(2_000);
    // Timed out at 1 s, retry due at 1.1 s: the key waits for its stray pass, the worker does not.
    expect(controller.queue.processingKeys()).toEqual(['a']);
    controller.enqueue('b');
    await scheduler.advanceBy(3_000);
    expect(starts).toEqual(['a@0', 'b@2000', 'a@5000']);
    expect(overlaps).toEqual([]);
    // The stray's requeueAfter was not acted on, and its success was not reported.
    expect(events.filter((event) => event.type !== 'resynced')).toEqual([
      { type: 'retry-scheduled', key: 'a', error: new ReconcileTimeout('a', 1_000), failures: 1, delayMs: 100 },
      { type: 'reconciled', key: 'b' },
      { type: 'reconciled', key: 'a' },
    ]);
    await scheduler.advanceBy(60_000);
    expect(starts).toHaveLength(3);
    expect(controller.queue.processingKeys()).toEqual([]);
  });
});

describe('deadlines of many passes', () => {
  it('aborts each pass at exactly its start plus reconcileTimeoutMs, and only passes still running then, for any starts and durations', async () => {
    const timeoutMs = 1_000;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 700 }), durationMs: fc.integer({ min: 0, max: 2_000 }).filter((ms) => ms !== timeoutMs) }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (passes) => {
          const scheduler = new VirtualScheduler();
          const durations = new Map(passes.map(({ durationMs }, i) => [`k${i}`, durationMs]));
          const aborted: string[] = [];
          const controller = new Controller({
            scheduler,
            workers: passes.length,
            reconcileTimeoutMs: timeoutMs,
            listKeys: () => [],
            resyncEveryMs: 3_600_000,
            // Retries far beyond the test, so each key runs once.
            backoff: { baseMs: 3_600_000, capMs: 3_600_000 },
            reconcile: async (key, { signal }) => {
              signal.addEventListener('abort', () => aborted.push(`${key}@${scheduler.monotonicNow()}`));
              await sleep(scheduler, durations.get(key) ?? 0);
            },
          });
          void controller.start();
          const expected: string[] = [];
          let now = 0;
          for (const [i, { gapMs, durationMs }] of passes.entries()) {
            await scheduler.advanceBy(gapMs);
            now += gapMs;
            controller.enqueue(`k${i}`);
            if (durationMs > timeoutMs) expected.push(`k${i}@${now + timeoutMs}`);
          }
          await scheduler.advanceBy(3_000);
          expect(aborted.sort()).toEqual(expected.sort());
          expect(controller.queue.processingKeys()).toEqual([]);
          await controller.shutdown();
          expect(scheduler.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('hands a pass that reads its signal only after its deadline a signal already aborted', async () => {
    const seen: unknown[] = [];
    const { scheduler, controller } = setup(
      async (_key, context) => {
        await sleep(scheduler, 1_500);
        seen.push(context.signal.aborted, context.signal.reason);
      },
      { reconcileTimeoutMs: 1_000 },
    );
    void controller.start();
    await scheduler.advanceBy(1_500);
    expect(seen).toEqual([true, new ReconcileTimeout('a', 1_000)]);
  });
});

describe('shutdown', () => {
  it('returns by its deadline when a reconcile hangs, aborts the signal and names the key it abandoned', async () => {
    const signals: AbortSignal[] = [];
    const { scheduler, controller } = setup((_key, { signal }) => {
      signals.push(signal);
      return new Promise<void>(() => undefined); // hangs, and ignores its signal
    });
    void controller.start();
    await scheduler.advanceBy(10);
    let report: { abandoned: string[] } | undefined;
    void controller.shutdown({ deadlineMs: 5_000 }).then((result) => (report = result));
    await scheduler.advanceBy(4_999);
    expect([report, signals[0]?.aborted]).toEqual([undefined, false]);
    await scheduler.advanceBy(1);
    expect(report).toEqual({ abandoned: ['a'] });
    expect(scheduler.callbackErrors).toEqual([]);
    expect(signals[0]?.reason).toEqual(new ReconcileAbandoned('a', 5_000));
    expect(String(signals[0]?.reason)).toBe(
      'ReconcileAbandoned: Reconcile of "a" was still running when shutdown\'s deadline of 5000 ms passed; its signal was aborted and the controller stopped waiting for it. The next start resyncs the key.',
    );
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('returns an empty list when every reconcile ends before the deadline', async () => {
    const { scheduler, controller } = setup(async () => {
      await sleep(scheduler, 100);
    });
    void controller.start();
    await scheduler.advanceBy(10);
    const stopping = controller.shutdown({ deadlineMs: 5_000 });
    await scheduler.advanceBy(90);
    expect(await stopping).toEqual({ abandoned: [] });
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('without a deadline, returns once a hung reconcile reaches its own deadline, and names it', async () => {
    const { scheduler, controller } = setup(() => new Promise<void>(() => undefined), { reconcileTimeoutMs: 2_000 });
    void controller.start();
    await scheduler.advanceBy(10);
    let report: { abandoned: string[] } | undefined;
    void controller.shutdown().then((result) => (report = result));
    await scheduler.advanceBy(1_989);
    expect(report).toBeUndefined();
    await scheduler.advanceBy(1);
    expect(report).toEqual({ abandoned: ['a'] });
  });

  it('does not wait for a worker sleeping on the rate limiter, and that worker starts nothing', async () => {
    const started: string[] = [];
    const { scheduler, controller } = setup(
      async (key) => {
        started.push(key);
      },
      { workers: 1, rateLimit: { perSecond: 1, burst: 1 }, listKeys: () => ['a', 'b'] },
    );
    void controller.start();
    await scheduler.advanceBy(10);
    let report: { abandoned: string[] } | undefined;
    void controller.shutdown().then((result) => (report = result));
    await scheduler.advanceBy(0);
    expect(report).toEqual({ abandoned: [] });
    await scheduler.advanceBy(5_000);
    expect(started).toEqual(['a']);
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('rejects a deadline that is not a duration, naming it', async () => {
    const { controller } = setup(async () => undefined);
    await expect(controller.shutdown({ deadlineMs: -1 })).rejects.toThrow(
      new InvalidOptionError('deadlineMs', 'a duration in ms from 0 to 3153600000000 (100 years)', -1),
    );
  });
});
