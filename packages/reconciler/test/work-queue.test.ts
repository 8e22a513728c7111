import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualScheduler, WorkQueue } from '../src/index.ts';

function hasDuplicates(keys: readonly string[]): boolean {
  return new Set(keys).size !== keys.length;
}

describe('WorkQueue', () => {
  it('holds a key once however often it is added', async () => {
    const queue = new WorkQueue(new VirtualScheduler());
    for (const key of ['a', 'b', 'a', 'a', 'b', 'c']) queue.add(key);
    expect(queue.queuedKeys()).toEqual(['a', 'b', 'c']);
    expect(await queue.take()).toBe('a');
  });

  it('hands out a key re-added while processing only after done, never to a second taker', async () => {
    const queue = new WorkQueue(new VirtualScheduler());
    queue.add('a');
    expect(await queue.take()).toBe('a');
    queue.add('a');
    queue.add('a');
    expect(queue.queuedKeys()).toEqual([]);
    const second = queue.take();
    let handedOut: string | undefined;
    void second.then((key) => (handedOut = key));
    await Promise.resolve();
    expect(handedOut).toBeUndefined();
    queue.done('a');
    expect(await second).toBe('a');
    expect(queue.processingKeys()).toEqual(['a']);
    queue.done('a');
    expect(queue.queuedKeys()).toEqual([]);
    expect(queue.processingKeys()).toEqual([]);
  });

  it('keeps the earlier time when a key is delayed twice, so it waits on one timer', async () => {
    const scheduler = new VirtualScheduler();
    const queue = new WorkQueue(scheduler);
    queue.addAfter('a', 500);
    queue.addAfter('a', 200);
    queue.addAfter('a', 900);
    expect(scheduler.pendingTimers).toBe(1);
    await scheduler.advanceBy(199);
    expect(queue.queuedKeys()).toEqual([]);
    await scheduler.advanceBy(1);
    expect(queue.queuedKeys()).toEqual(['a']);
    expect(queue.delayedKeys()).toEqual([]);
  });

  it('compares delays on the monotonic clock, so a wall clock stepped forward an hour cannot keep a key waiting on the later timer', async () => {
    const scheduler = new VirtualScheduler();
    const queue = new WorkQueue(scheduler);
    queue.addAfter('a', 60_000);
    scheduler.stepWallClock(3_600_000);
    queue.addAfter('a', 100);
    await scheduler.advanceBy(100);
    expect(queue.queuedKeys()).toEqual(['a']);
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('drops queued and delayed keys on shutdown and lets the key in progress finish', async () => {
    const scheduler = new VirtualScheduler();
    const queue = new WorkQueue(scheduler);
    queue.add('a');
    queue.add('b');
    queue.addAfter('c', 100);
    expect(await queue.take()).toBe('a');
    queue.shutDown();
    let idle = false;
    void queue.whenIdle().then(() => (idle = true));
    queue.add('d');
    await scheduler.advanceBy(1_000);
    expect(queue.queuedKeys()).toEqual([]);
    expect(idle).toBe(false);
    expect(await queue.take()).toBeUndefined();
    queue.done('a');
    await scheduler.advanceBy(0);
    expect(idle).toBe(true);
  });

  it('ignores done for a key that was never handed out, so a queued key is not queued twice', () => {
    const queue = new WorkQueue(new VirtualScheduler());
    queue.add('a');
    queue.done('a');
    expect(queue.queuedKeys()).toEqual(['a']);
  });

  it('resolves a waiting take with undefined on shutdown', async () => {
    const queue = new WorkQueue(new VirtualScheduler());
    const waiting = queue.take();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
  });

  it('never holds a key twice and hands every added key out exactly once more, for any sequence of add, take and done', async () => {
    const keys = ['a', 'b', 'c', 'd'];
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), key: fc.constantFrom(...keys) }),
      fc.record({ kind: fc.constant('take' as const) }),
      fc.record({ kind: fc.constant('done' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 60 }), async (operations) => {
        const queue = new WorkQueue(new VirtualScheduler());
        // The model: keys added since they were last handed out, and keys being processed.
        const needsPass = new Set<string>();
        const processing = new Set<string>();
        const check = (): void => {
          const queued = queue.queuedKeys();
          expect(hasDuplicates(queued)).toBe(false);
          expect(queued.filter((key) => processing.has(key))).toEqual([]);
          expect(new Set(queue.processingKeys())).toEqual(processing);
          for (const key of queued) expect(needsPass.has(key)).toBe(true);
          for (const key of needsPass) expect(queued.includes(key) || processing.has(key)).toBe(true);
        };
        for (const op of operations) {
          if (op.kind === 'add') {
            queue.add(op.key);
            needsPass.add(op.key);
          } else if (op.kind === 'take' && queue.queuedKeys().length > 0) {
            const key = await queue.take();
            expect(key !== undefined && needsPass.has(key) && !processing.has(key)).toBe(true);
            if (key === undefined) return;
            needsPass.delete(key);
            processing.add(key);
          } else if (op.kind === 'done' && processing.size > 0) {
            const key = [...processing][op.pick % processing.size];
            if (key === undefined) return;
            processing.delete(key);
            queue.done(key);
          }
          check();
        }
        for (const key of [...processing]) {
          processing.delete(key);
          queue.done(key);
        }
        const drained: string[] = [];
        while (queue.queuedKeys().length > 0) {
          const key = await queue.take();
          if (key === undefined) break;
          drained.push(key);
          queue.done(key);
        }
        expect(drained.sort()).toEqual([...needsPass].sort());
      }),
      { numRuns: 200 },
    );
  });
});
