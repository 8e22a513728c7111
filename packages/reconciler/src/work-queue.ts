import type { CancelTimer, MonotonicClock, Timers } from '@12-factor-agentops/core';

/** What outside code may see of a queue: its keys, and no way to change them. */
export interface WorkQueueView {
  /** Keys queued and not yet handed out, oldest first. */
  queuedKeys(): string[];
  /** Keys handed out whose pass has not ended. */
  processingKeys(): string[];
  /** Keys waiting on a timer (a back-off or a `requeueAfter`). */
  delayedKeys(): string[];
}

/**
 * The queue of keys waiting to be reconciled. A key is held at most once however often it
 * is added; a key added while a worker processes it is marked dirty and handed out again
 * after `done`, so no key is ever processed by two workers at once. Order is first in,
 * first out. The queue holds names, never state: losing it loses nothing a resync cannot
 * rebuild.
 */
export class WorkQueue implements WorkQueueView {
  readonly #scheduler: MonotonicClock & Timers;
  // FIFO as an array and a head index: shift() on 10,000 keys would copy the array each time.
  #queue: string[] = [];
  #head = 0;
  // Keys that need a pass: queued ones, and ones re-added while being processed.
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #delayed = new Map<string, { readyAt: number; cancel: CancelTimer }>();
  readonly #takers: ((key: string | undefined) => void)[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #shuttingDown = false;

  constructor(scheduler: MonotonicClock & Timers) {
    this.#scheduler = scheduler;
  }

  // #region dedup-and-dirty
  /** Queues `key` unless it is already waiting; ignored after `shutDown`. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return; // already waiting: one entry is enough
    this.#dirty.add(key);
    // Being processed: done() queues it again afterwards, never a second worker now.
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  /** Ends the processing of `key`; if it was re-added meanwhile, it is queued again now. */
  done(key: string): void {
    if (!this.#processing.delete(key)) return; // not handed out: nothing to finish
    if (this.#dirty.has(key)) this.#enqueue(key);
    this.#notifyIfIdle();
  }

  // Handing a key out clears its dirty mark: an add from now on asks for one more pass.
  #handOut(key: string): string {
    this.#dirty.delete(key);
    this.#processing.add(key);
    return key;
  }
  // #endregion dedup-and-dirty

  #enqueue(key: string): void {
    const taker = this.#takers.shift();
    if (taker === undefined) this.#queue.push(key);
    else taker(this.#handOut(key));
  }

  /**
   * Hands out the oldest waiting key and marks it as processing; waits when none is
   * queued. Resolves `undefined` once the queue is shut down.
   */
  take(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#queue[this.#head];
    if (key === undefined) return new Promise((resolve) => this.#takers.push(resolve));
    this.#head++;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return Promise.resolve(this.#handOut(key));
  }

  /**
   * Adds `key` after `delayMs` (up to 100 years). If the key is already waiting on a timer,
   * the earlier of the two times wins, so a key waits on at most one timer.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    // Compared on the monotonic clock: a wall clock set forward must not make an earlier time look later.
    const readyAt = this.#scheduler.monotonicNow() + delayMs;
    const existing = this.#delayed.get(key);
    if (existing !== undefined) {
      if (existing.readyAt <= readyAt) return;
      existing.cancel();
    }
    const cancel = this.#scheduler.setTimer(delayMs, () => {
      this.#delayed.delete(key);
      this.add(key);
    });
    this.#delayed.set(key, { readyAt, cancel });
  }

  /** Keys queued and not yet handed out, oldest first. */
  queuedKeys(): string[] {
    return this.#queue.slice(this.#head);
  }

  /** Keys handed out by `take` whose `done` has not been called yet. */
  processingKeys(): string[] {
    return [...this.#processing];
  }

  /** Keys waiting on a timer from `addAfter`. */
  delayedKeys(): string[] {
    return [...this.#delayed.keys()];
  }

  /** Resolves when no key is queued or processing (keys waiting on a timer do not count). */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops the queue: new and delayed adds are dropped, queued keys are discarded, waiting
   * `take` calls resolve `undefined`. Keys being processed finish; `whenIdle` tells when.
   */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const { cancel } of this.#delayed.values()) cancel();
    this.#delayed.clear();
    this.#queue = [];
    this.#head = 0;
    this.#dirty.clear();
    for (const taker of this.#takers.splice(0)) taker(undefined);
    this.#notifyIfIdle();
  }

  #isIdle(): boolean {
    return this.#head === this.#queue.length && this.#processing.size === 0;
  }

  #notifyIfIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

/** A read-only view of `queue`: a frozen object whose functions only read, with no path back to the queue. */
export function viewOf(queue: WorkQueue): WorkQueueView {
  return Object.freeze({
    queuedKeys: () => queue.queuedKeys(),
    processingKeys: () => queue.processingKeys(),
    delayedKeys: () => queue.delayedKeys(),
  });
}
