// sql's defaults, one name each: the code reads them from here and the framework's table of
// defaults is checked against them.

/** How many times `transaction` runs its function when it keeps hitting serialization failures or deadlocks: 5. */
export const DEFAULT_TRANSACTION_ATTEMPTS = 5;
/** The first back-off ceiling between attempts: 10 ms (doubled after each attempt, with full jitter). */
export const DEFAULT_RETRY_BASE_DELAY_MS = 10;
/** The largest back-off ceiling between attempts: 500 ms. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 500;
/** Connections a server client keeps open at most: 10. */
export const DEFAULT_POOL_SIZE = 10;
/** How long a server client waits for a connection before `DatabaseUnavailable`: 5 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** The folder under the caller's data directory that holds the embedded PGlite when no URL is given: `pglite`. */
export const DEFAULT_PGLITE_FOLDER = 'pglite';
