/** What a reconcile pass asks of the loop when it did not fail. */
export interface ReconcileResult {
  /** Look at this key again after this many milliseconds (0 to 100 years), even if nothing changes. */
  requeueAfter?: number;
}

/** What the loop hands each reconcile pass besides its key. */
export interface ReconcileContext {
  /**
   * Aborts when the pass runs past `reconcileTimeoutMs` (reason: `ReconcileTimeout`) or
   * shutdown's deadline (reason: `ReconcileAbandoned`). From then on the loop no longer
   * waits for the pass, and ignores what it returns: stop, and write nothing more. Its key
   * stays in flight until the pass ends. Pass the signal on to every call that accepts one.
   */
  readonly signal: AbortSignal;
}

/**
 * Brings the world in line with what is declared for one key: read desired, read
 * observed, act on the difference. The loop reads the outcome as follows:
 * - it throws a `TerminalError`: logged and not retried (the input must change first);
 * - it throws any other error, or runs past its deadline: retried with per-key exponential back-off;
 * - it returns `{ requeueAfter }`: done for now, looked at again after that delay;
 * - it returns nothing: done, until the next event or resync names the key.
 * It must be level-triggered: safe to call any number of times, for any key, in any order.
 */
export type Reconcile = (key: string, context: ReconcileContext) => Promise<ReconcileResult | undefined> | Promise<void>;

/** Thrown by a reconcile function for a failure that retrying cannot fix. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}
