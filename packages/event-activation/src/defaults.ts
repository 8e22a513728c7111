// event-activation's defaults, one name each: the code reads them from here and the
// framework's table of defaults (docs/factors/README.md) is checked against them.

/** The largest request body the receiver reads: 1 MiB. Bigger bodies are refused with 413 while streaming. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;
/** How far a Standard Webhooks `webhook-timestamp` may lie from the receiver's clock, either direction: 5 minutes. */
export const DEFAULT_TIMESTAMP_TOLERANCE_MS = 300_000;
/** How long a worker's claim on an inbox row lasts before another worker may take the event: 30 s. */
export const DEFAULT_LEASE_TTL_MS = 30_000;
/** How long an idle worker waits before it looks at the inbox again (a new event wakes it at once): 1 s. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** How long an event whose handler failed waits before a worker tries it again: 5 s. */
export const DEFAULT_RETRY_DELAY_MS = 5_000;
/** How many events one receiver's workers handle at the same time: 4. */
export const DEFAULT_WORKER_CONCURRENCY = 4;
/** How often a schedule emitter looks for a new slot: 10 s. */
export const DEFAULT_SCHEDULE_TICK_MS = 10_000;
