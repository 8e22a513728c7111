import type { CancelTimer, MonotonicClock, Timers } from '@12-factor-agentops/core';
import type { Reconcile, ReconcileContext } from './reconcile.ts';

/** A reconcile ran past `reconcileTimeoutMs`: its signal aborts with this, and the key is retried with back-off. */
export class ReconcileTimeout extends Error {
  override readonly name = 'ReconcileTimeout';
  readonly key: string;
  readonly timeoutMs: number;

  constructor(key: string, timeoutMs: number) {
    super(
      `Reconcile of "${key}" did not finish within ${timeoutMs} ms (reconcileTimeoutMs); its signal was aborted and the key will be retried ` +
        'with back-off once the pass has ended. Make the reconcile stop when its signal aborts, or raise reconcileTimeoutMs.',
    );
    this.key = key;
    this.timeoutMs = timeoutMs;
  }
}

/** Shutdown's deadline passed while a reconcile was still running: its signal aborts with this. */
export class ReconcileAbandoned extends Error {
  override readonly name = 'ReconcileAbandoned';
  readonly key: string;
  readonly deadlineMs: number;

  constructor(key: string, deadlineMs: number) {
    super(
      `Reconcile of "${key}" was still running when shutdown's deadline of ${deadlineMs} ms passed; its signal was aborted and the ` +
        'controller stopped waiting for it. The next start resyncs the key.',
    );
    this.key = key;
    this.deadlineMs = deadlineMs;
  }
}

/** How the wait for one pass ended. */
export type PassEnd =
  | { readonly kind: 'returned'; readonly value: unknown }
  | { readonly kind: 'threw'; readonly error: unknown }
  // The two below stop the wait, not the pass: its key stays in flight until the pass ends.
  | { readonly kind: 'timed-out'; readonly error: ReconcileTimeout }
  | { readonly kind: 'abandoned' };

/**
 * A pass's context whose AbortController is made on first use: in Node 20 making one costs
 * more than a whole in-memory pass, and most passes never look at their signal.
 */
class PassContext implements ReconcileContext {
  #controller: AbortController | undefined;
  #reason: Error | undefined;

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: Error): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

/** A pass a worker waits for. */
interface WaitedPass {
  readonly key: string;
  readonly deadline: number;
  readonly context: PassContext;
  readonly resolve: (end: PassEnd) => void;
}

/**
 * The passes of one controller that have not ended, with a deadline on each one a worker
 * waits for. A pass that outlives the wait keeps its key in flight until it ends, and then
 * `onStrayEnd` frees the key; what it returned is ignored. Every pass has the same time,
 * so deadlines fall in start order and one timer, set for the oldest, watches them all.
 */
export class Passes {
  readonly #scheduler: MonotonicClock & Timers;
  readonly #timeoutMs: number;
  readonly #onStrayEnd: (key: string) => void;
  // Oldest first: a Map iterates in insertion order. One entry per key, as one pass per key runs.
  readonly #waited = new Map<string, WaitedPass>();
  readonly #running = new Set<string>();
  #cancelTimer: CancelTimer | undefined;

  constructor(scheduler: MonotonicClock & Timers, timeoutMs: number, onStrayEnd: (key: string) => void) {
    this.#scheduler = scheduler;
    this.#timeoutMs = timeoutMs;
    this.#onStrayEnd = onStrayEnd;
  }

  /** Keys whose pass has not ended, waited for or not. */
  running(): string[] {
    return [...this.#running];
  }

  /** Starts a pass of `reconcile` over `key` and resolves when it ends or the wait for it stops. */
  run(key: string, reconcile: Reconcile): Promise<PassEnd> {
    // No named closure per pass: run through tsx (esbuild's keepNames), each one costs an
    // Object.defineProperty call, so the handlers below are anonymous and the rest are methods.
    const context = new PassContext();
    let pass: Promise<unknown>;
    try {
      pass = Promise.resolve(reconcile(key, context));
    } catch (error) {
      pass = Promise.reject(error); // a reconcile written in JavaScript may throw before its first await
    }
    this.#running.add(key);
    pass.then(
      (value) => this.#ended(key, { kind: 'returned', value }),
      (error: unknown) => this.#ended(key, { kind: 'threw', error }),
    );
    return new Promise<PassEnd>((resolve) => {
      this.#waited.set(key, { key, deadline: this.#scheduler.monotonicNow() + this.#timeoutMs, context, resolve });
      this.#startTimer();
    });
  }

  /** Stops waiting for every pass: each signal aborts with `ReconcileAbandoned`. */
  abandonAll(deadlineMs: number): void {
    for (const pass of this.#waited.values()) this.#stopWaiting(pass, { kind: 'abandoned' }, new ReconcileAbandoned(pass.key, deadlineMs));
  }

  /** Cancels the deadline timer, once no worker waits for a pass any more. */
  close(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  #startTimer(): void {
    const oldest = this.#waited.values().next().value;
    if (this.#cancelTimer !== undefined || oldest === undefined) return;
    this.#cancelTimer = this.#scheduler.setTimer(Math.max(0, oldest.deadline - this.#scheduler.monotonicNow()), () => {
      this.#cancelTimer = undefined;
      const now = this.#scheduler.monotonicNow();
      for (const pass of this.#waited.values()) {
        // As core's timers do, less than 1 ms left counts as due.
        if (pass.deadline - now >= 1) break;
        const error = new ReconcileTimeout(pass.key, this.#timeoutMs);
        this.#stopWaiting(pass, { kind: 'timed-out', error }, error);
      }
      this.#startTimer();
    });
  }

  #ended(key: string, end: PassEnd): void {
    this.#running.delete(key);
    const pass = this.#waited.get(key);
    if (pass !== undefined) this.#stopWaiting(pass, end);
    else this.#onStrayEnd(key); // the worker stopped waiting earlier: only now is the key free
  }

  #stopWaiting(pass: WaitedPass, end: PassEnd, reason?: Error): void {
    // The timer stays armed when no pass is left: it finds none and stops. Cancelling and
    // arming it again for every pass would cost more than the pass in memory.
    this.#waited.delete(pass.key);
    pass.resolve(end);
    if (reason !== undefined) pass.context.abort(reason);
  }
}
