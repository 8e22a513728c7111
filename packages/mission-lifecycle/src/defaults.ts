/** How long a claim on a mission holds without renewal. */
export const DEFAULT_LEASE_TTL_MS = 30_000;
/** How often a waiting worker (or the SSE stream) looks at the store again. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
