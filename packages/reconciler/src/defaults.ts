// The reconciler's defaults, one name each: the code reads them from here and the
// framework's table of defaults (docs/factors/README.md) is checked against them.

/** Reconciles running at once, each on a different key. */
export const DEFAULT_WORKERS = 4;
/** How often every key is queued, whatever the events said: 30 s. */
export const DEFAULT_RESYNC_EVERY_MS = 30_000;
/** Back-off after a key's first failure: 100 ms. */
export const DEFAULT_BACKOFF_BASE_MS = 100;
/** Largest back-off, however many failures: 60 s. */
export const DEFAULT_BACKOFF_CAP_MS = 60_000;
/** Token bucket refill in reconciles per second. */
export const DEFAULT_RATE_PER_SECOND = 50;
/** Token bucket size: reconciles allowed in a burst. */
export const DEFAULT_RATE_BURST = 100;
/** Consecutive failures that open the circuit. */
export const DEFAULT_FAILURE_THRESHOLD = 5;
/** How long an open circuit waits before one probe may pass: 60 s. */
export const DEFAULT_COOL_DOWN_MS = 60_000;
/**
 * How long a half-open circuit waits for its probe's answer before it counts as a failure:
 * 30 s, the slowest answer the Kubernetes API server's latency objective allows a healthy
 * read (a cluster-wide list, p99 ≤ 30 s), and half the cool-down.
 */
export const DEFAULT_PROBE_TIMEOUT_MS = 30_000;
/**
 * How long one reconcile may run before its signal aborts and it counts as failed: 60 s,
 * room for a read and a write that each take as long as a probe may.
 */
export const DEFAULT_RECONCILE_TIMEOUT_MS = 60_000;
