import { describeValue, durationMs, MAX_DURATION_MS, sleep, systemScheduler, wholeNumber } from '@12-factor-agentops/core';
import type { CancelTimer, Scheduler } from '@12-factor-agentops/core';
import { ExponentialBackoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { DEFAULT_RECONCILE_TIMEOUT_MS, DEFAULT_RESYNC_EVERY_MS, DEFAULT_WORKERS } from './defaults.ts';
import { callListener } from './listener.ts';
import { TerminalError } from './reconcile.ts';
import type { Reconcile, ReconcileResult } from './reconcile.ts';
import { Passes } from './passes.ts';
import { TokenBucket } from './token-bucket.ts';
import { viewOf, WorkQueue } from './work-queue.ts';
import type { WorkQueueView } from './work-queue.ts';

/** What the controller did, for logs, metrics and tests. */
export type ControllerEvent =
  | { type: 'reconciled'; key: string; requeueAfter?: number }
  | { type: 'retry-scheduled'; key: string; error: unknown; failures: number; delayMs: number }
  | { type: 'gave-up'; key: string; error: TerminalError }
  | { type: 'resynced'; keys: number }
  | { type: 'resync-failed'; error: unknown };

/** Options of `Controller`. */
export interface ControllerOptions {
  /** The level-triggered function that brings one key in line. */
  reconcile: Reconcile;
  /** Every key that may need a look: the desired ones and the observed ones. */
  listKeys: () => Iterable<string> | Promise<Iterable<string>>;
  /** How often every key is queued, whatever the events said. Default 30,000 ms (30 s); up to 100 years. */
  resyncEveryMs?: number;
  /** Reconciles running at once, each on a different key. Default 4. */
  workers?: number;
  /** How long one reconcile may run before its signal aborts and it counts as failed. Default 60,000 ms (60 s). */
  reconcileTimeoutMs?: number;
  /** Per-key back-off after a failure. Default base 100 ms, cap 60,000 ms. */
  backoff?: BackoffOptions;
  /** Global token bucket in front of every reconcile. Default 50 per second, burst 100. */
  rateLimit?: { perSecond?: number; burst?: number };
  /** Clocks and timers. Default the system's; tests pass a `VirtualScheduler`. */
  scheduler?: Scheduler;
  /** Told about every outcome. What it throws, or a promise it returns rejects with, goes to `onListenerError`. */
  onEvent?: (event: ControllerEvent) => void;
  /** Told when `onEvent` fails; the loop goes on regardless. Default: one line on `console.error`. */
  onListenerError?: (error: unknown, event: ControllerEvent) => void;
}

/** Options of `Controller.shutdown`. */
export interface ShutdownOptions {
  /**
   * Stop waiting for reconciles in flight after this many ms (0 up): their signals abort and
   * shutdown returns. Without it, each reconcile is waited for until its own deadline.
   */
  deadlineMs?: number;
}

/** What `Controller.shutdown` left behind. */
export interface ShutdownReport {
  /** Keys whose reconcile had not ended when shutdown returned: their signals were aborted, and they may still be running. */
  abandoned: string[];
}

/** The controller was used out of order: started twice, or started after shutdown. */
export class ControllerStateError extends Error {
  override readonly name = 'ControllerStateError';
}

/** A reconcile function returned something the loop cannot schedule. */
export class InvalidReconcileResult extends Error {
  override readonly name = 'InvalidReconcileResult';
  readonly key: string;

  constructor(key: string, requeueAfter: unknown) {
    super(
      `Reconcile of "${key}" returned requeueAfter ${describeValue(requeueAfter)}; return a number of milliseconds from 0 to ${MAX_DURATION_MS} (100 years), or nothing.`,
    );
    this.key = key;
  }
}

function requeueDelay(key: string, result: unknown): number | undefined {
  // Checked at run time too: a reconcile function written in JavaScript gets no compiler.
  const delay: unknown = typeof result === 'object' && result !== null ? (result as ReconcileResult).requeueAfter : undefined;
  if (delay === undefined) return undefined;
  if (typeof delay !== 'number' || !(delay >= 0 && delay <= MAX_DURATION_MS)) throw new InvalidReconcileResult(key, delay);
  return delay;
}

/**
 * Runs a reconcile function over a de-duplicating work queue: `workers` keys at a time,
 * never the same key twice at once, behind a global token bucket, with per-key
 * exponential back-off on failure, a deadline on every pass and a resync of every key
 * each `resyncEveryMs`.
 */
export class Controller {
  /** The queue's keys, read-only: for metrics and tests. */
  readonly queue: WorkQueueView;
  readonly backoff: ExponentialBackoff;
  readonly workers: number;
  readonly resyncEveryMs: number;
  readonly reconcileTimeoutMs: number;
  readonly #queue: WorkQueue;
  readonly #reconcile: Reconcile;
  readonly #listKeys: ControllerOptions['listKeys'];
  readonly #scheduler: Scheduler;
  readonly #bucket: TokenBucket;
  readonly #onEvent: (event: ControllerEvent) => void;
  readonly #onListenerError: (error: unknown, event: ControllerEvent) => void;
  readonly #runs: Promise<void>[] = [];
  readonly #passes: Passes;
  // Aborted by shutdown: ends the workers' waits for a rate-limit token.
  readonly #stopping = new AbortController();
  #cancelResync: CancelTimer = () => undefined;
  #phase: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: ControllerOptions) {
    this.#reconcile = options.reconcile;
    this.#listKeys = options.listKeys;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.workers = wholeNumber('workers', options.workers ?? DEFAULT_WORKERS, 1);
    this.resyncEveryMs = durationMs('resyncEveryMs', options.resyncEveryMs ?? DEFAULT_RESYNC_EVERY_MS);
    this.reconcileTimeoutMs = durationMs('reconcileTimeoutMs', options.reconcileTimeoutMs ?? DEFAULT_RECONCILE_TIMEOUT_MS);
    this.backoff = new ExponentialBackoff(options.backoff);
    this.#bucket = new TokenBucket({ ...options.rateLimit, clock: this.#scheduler });
    this.#queue = new WorkQueue(this.#scheduler);
    this.queue = viewOf(this.#queue);
    // A pass that outlived its deadline held its key until now: only now may the key run again.
    this.#passes = new Passes(this.#scheduler, this.reconcileTimeoutMs, (key) => this.#queue.done(key));
    this.#onEvent = options.onEvent ?? (() => undefined);
    this.#onListenerError = options.onListenerError ?? printListenerError;
  }

  /**
   * Starts the workers and the periodic resync. The returned promise resolves once the
   * first resync has queued every key (awaiting it is optional).
   */
  start(): Promise<void> {
    if (this.#phase !== 'new') {
      throw new ControllerStateError(`Cannot start a controller that is ${this.#phase}; create a new Controller instead.`);
    }
    this.#phase = 'running';
    for (let i = 0; i < this.workers; i++) this.#runs.push(this.#work());
    return this.#resyncAndReschedule();
  }

  /** Queues `key`: the entry point for change events. Ignored after shutdown. */
  enqueue(key: string): void {
    this.#queue.add(key);
  }

  /**
   * Queues every key from `listKeys` and returns how many. Never throws: a failure to list
   * is reported as a `resync-failed` event and returns 0.
   */
  async resyncNow(): Promise<number> {
    let count = 0;
    try {
      for (const key of await this.#listKeys()) {
        this.#queue.add(key);
        count++;
      }
    } catch (error) {
      this.#emit({ type: 'resync-failed', error });
      return 0;
    }
    this.#emit({ type: 'resynced', keys: count });
    return count;
  }

  /** Resolves when no key is queued or being reconciled. */
  whenIdle(): Promise<void> {
    return this.#queue.whenIdle();
  }

  /**
   * Stops taking work: queued and delayed keys are dropped (the next start's resync finds
   * them again), workers waiting for a rate-limit token stop at once, and reconciles
   * already running may finish until `deadlineMs` (or their own deadline). Resolves with
   * the keys whose reconcile had not ended by then.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport> {
    const deadlineMs = options.deadlineMs === undefined ? undefined : durationMs('deadlineMs', options.deadlineMs, { min: 0 });
    this.#phase = 'stopped';
    this.#cancelResync();
    this.#queue.shutDown();
    this.#stopping.abort();
    const workersDone = Promise.all(this.#runs);
    if (deadlineMs !== undefined) {
      let cancelDeadline: CancelTimer = () => undefined;
      const deadlinePassed = new Promise<void>((resolve) => {
        cancelDeadline = this.#scheduler.setTimer(deadlineMs, resolve);
      });
      await Promise.race([workersDone, deadlinePassed]);
      cancelDeadline();
      this.#passes.abandonAll(deadlineMs);
    }
    await workersDone;
    this.#passes.close();
    return { abandoned: this.#passes.running() };
  }

  async #resyncAndReschedule(): Promise<void> {
    await this.resyncNow();
    if (this.#phase !== 'running') return;
    this.#cancelResync = this.#scheduler.setTimer(this.resyncEveryMs, () => void this.#resyncAndReschedule());
  }

  async #work(): Promise<void> {
    for (let key = await this.#queue.take(); key !== undefined; key = await this.#queue.take()) {
      await this.#process(key);
    }
  }

  /** Runs one pass over `key` and acts on its outcome. Never throws: a worker must outlive every key. */
  async #process(key: string): Promise<void> {
    const waitMs = this.#bucket.reserve();
    const ready = waitMs === 0 || (await this.#waitForToken(waitMs));
    if (!ready || this.#phase !== 'running') {
      this.#queue.done(key); // shut down while waiting: not started, not lost
      return;
    }
    const end = await this.#passes.run(key, this.#reconcile);
    if (end.kind === 'abandoned') return; // shutdown stopped waiting; the pass frees the key when it ends
    if (end.kind === 'timed-out') {
      this.#failed(key, end.error); // the key stays in flight until the pass ends, so the retry waits for it
      return;
    }
    if (end.kind === 'returned') this.#succeeded(key, end.value);
    else this.#failed(key, end.error);
    this.#queue.done(key);
  }

  // #region reconcile-outcomes
  #succeeded(key: string, result: unknown): void {
    let requeueAfter: number | undefined;
    try {
      requeueAfter = requeueDelay(key, result);
    } catch (error) {
      this.#failed(key, error);
      return;
    }
    this.backoff.forget(key);
    if (requeueAfter !== undefined) this.#queue.addAfter(key, requeueAfter);
    this.#emit(requeueAfter === undefined ? { type: 'reconciled', key } : { type: 'reconciled', key, requeueAfter });
  }

  #failed(key: string, error: unknown): void {
    if (error instanceof TerminalError) {
      this.backoff.forget(key); // retrying cannot help; a new event or resync may try again
      this.#emit({ type: 'gave-up', key, error });
      return;
    }
    const delayMs = this.backoff.next(key);
    this.#queue.addAfter(key, delayMs);
    this.#emit({ type: 'retry-scheduled', key, error, failures: this.backoff.failures(key), delayMs });
  }
  // #endregion reconcile-outcomes

  /** Waits `waitMs` for a rate-limit token; false if shutdown ended the wait. */
  async #waitForToken(waitMs: number): Promise<boolean> {
    try {
      // Past 100 years is forever: core's timers stop there.
      await sleep(this.#scheduler, Math.min(waitMs, MAX_DURATION_MS), this.#stopping.signal);
      return true;
    } catch {
      return false; // SleepAborted: shutdown is the only thing that ends this wait early
    }
  }

  #emit(event: ControllerEvent): void {
    callListener(
      () => this.#onEvent(event),
      (error) => this.#onListenerError(error, event),
    );
  }
}

function printListenerError(error: unknown, event: ControllerEvent): void {
  console.error(`Controller: an onEvent listener threw on a "${event.type}" event; the loop went on. Fix the listener, or pass onListenerError to handle this.`, error);
}
