/** What a reconcile pass asks of the loop when it did not fail. */
export interface ReconcileResult {
  /** Look at this key again after this many milliseconds, even if nothing changes. */
  requeueAfter?: number;
}

/**
 * Brings the world in line with what is declared for one key: read desired, read
 * observed, act on the difference. The loop reads the outcome as follows:
 * - it throws a `TerminalError`: logged and not retried (the input must change first);
 * - it throws any other error: retried with per-key exponential back-off;
 * - it returns `{ requeueAfter }`: done for now, looked at again after that delay;
 * - it returns nothing: done, until the next event or resync names the key.
 * It must be level-triggered: safe to call any number of times, for any key, in any order.
 */
export type Reconcile = (key: string) => Promise<ReconcileResult | undefined> | Promise<void>;

/** Thrown by a reconcile function for a failure that retrying cannot fix. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}
