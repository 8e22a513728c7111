import { DEFAULT_RESYNC_EVERY_MS, DEFAULT_WORKERS } from './defaults.ts';
import { ExponentialBackoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { positiveNumber, wholeNumber } from './invalid-option.ts';
import { TerminalError } from './reconcile.ts';
import type { Reconcile, ReconcileResult } from './reconcile.ts';
import { sleep, systemScheduler } from './scheduler.ts';
import type { CancelTimer, Scheduler } from './scheduler.ts';
import { TokenBucket } from './token-bucket.ts';
import { WorkQueue } from './work-queue.ts';

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
  /** How often every key is queued, whatever the events said. Default 30,000 ms (30 s). */
  resyncEveryMs?: number;
  /** Reconciles running at once, each on a different key. Default 4. */
  workers?: number;
  /** Per-key back-off after a failure. Default base 100 ms, cap 60,000 ms. */
  backoff?: BackoffOptions;
  /** Global token bucket in front of every reconcile. Default 50 per second, burst 100. */
  rateLimit?: { perSecond?: number; burst?: number };
  /** Clock and timers. Default the system's; tests pass a `VirtualScheduler`. */
  scheduler?: Scheduler;
  /** Told about every outcome. It must not throw. */
  onEvent?: (event: ControllerEvent) => void;
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
      `Reconcile of "${key}" returned requeueAfter ${String(requeueAfter)}; return a finite number of milliseconds from 0 up, or nothing.`,
    );
    this.key = key;
  }
}

function requeueDelay(key: string, result: unknown): number | undefined {
  // Checked at run time too: a reconcile function written in JavaScript gets no compiler.
  const delay: unknown = typeof result === 'object' && result !== null ? (result as ReconcileResult).requeueAfter : undefined;
  if (delay === undefined) return undefined;
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw new InvalidReconcileResult(key, delay);
  return delay;
}

/**
 * Runs a reconcile function over a de-duplicating work queue: `workers` keys at a time,
 * never the same key twice at once, behind a global token bucket, with per-key
 * exponential back-off on failure and a resync of every key each `resyncEveryMs`.
 */
export class Controller {
  /** The queue, readable for metrics and tests. */
  readonly queue: WorkQueue;
  readonly backoff: ExponentialBackoff;
  readonly workers: number;
  readonly resyncEveryMs: number;
  readonly #reconcile: Reconcile;
  readonly #listKeys: ControllerOptions['listKeys'];
  readonly #scheduler: Scheduler;
  readonly #bucket: TokenBucket;
  readonly #onEvent: (event: ControllerEvent) => void;
  readonly #runs: Promise<void>[] = [];
  #cancelResync: CancelTimer = () => undefined;
  #phase: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: ControllerOptions) {
    this.#reconcile = options.reconcile;
    this.#listKeys = options.listKeys;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.workers = wholeNumber('workers', options.workers ?? DEFAULT_WORKERS, 1);
    this.resyncEveryMs = positiveNumber('resyncEveryMs', options.resyncEveryMs ?? DEFAULT_RESYNC_EVERY_MS);
    this.backoff = new ExponentialBackoff(options.backoff);
    this.#bucket = new TokenBucket({ ...options.rateLimit, clock: this.#scheduler });
    this.queue = new WorkQueue(this.#scheduler);
    this.#onEvent = options.onEvent ?? (() => undefined);
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
    this.queue.add(key);
  }

  /**
   * Queues every key from `listKeys` and returns how many. Never throws: a failure to list
   * is reported as a `resync-failed` event and returns 0.
   */
  async resyncNow(): Promise<number> {
    try {
      let count = 0;
      for (const key of await this.#listKeys()) {
        this.queue.add(key);
        count++;
      }
      this.#onEvent({ type: 'resynced', keys: count });
      return count;
    } catch (error) {
      this.#onEvent({ type: 'resync-failed', error });
      return 0;
    }
  }

  /** Resolves when no key is queued or being reconciled. */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  /**
   * Stops taking work: queued and delayed keys are dropped (the next start's resync finds
   * them again) and reconciles already running finish. Resolves when the last one has.
   */
  async shutdown(): Promise<void> {
    this.#phase = 'stopped';
    this.#cancelResync();
    this.queue.shutDown();
    await Promise.all(this.#runs);
  }

  async #resyncAndReschedule(): Promise<void> {
    await this.resyncNow();
    if (this.#phase !== 'running') return;
    this.#cancelResync = this.#scheduler.setTimer(this.resyncEveryMs, () => void this.#resyncAndReschedule());
  }

  async #work(): Promise<void> {
    for (let key = await this.queue.take(); key !== undefined; key = await this.queue.take()) {
      try {
        await this.#process(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #process(key: string): Promise<void> {
    const waitMs = this.#bucket.reserve();
    if (waitMs > 0) await sleep(this.#scheduler, waitMs);
    if (this.#phase !== 'running') return; // shut down while waiting: not started, not lost
    // #region reconcile-outcomes
    try {
      const result: unknown = await this.#reconcile(key);
      const requeueAfter = requeueDelay(key, result);
      this.backoff.forget(key);
      if (requeueAfter !== undefined) this.queue.addAfter(key, requeueAfter);
      this.#onEvent(requeueAfter === undefined ? { type: 'reconciled', key } : { type: 'reconciled', key, requeueAfter });
    } catch (error) {
      if (error instanceof TerminalError) {
        this.backoff.forget(key); // retrying cannot help; a new event or resync may try again
        this.#onEvent({ type: 'gave-up', key, error });
        return;
      }
      const delayMs = this.backoff.next(key);
      this.queue.addAfter(key, delayMs);
      this.#onEvent({ type: 'retry-scheduled', key, error, failures: this.backoff.failures(key), delayMs });
    }
    // #endregion reconcile-outcomes
  }
}
