// budget-quota's defaults, one name each: the code reads them from here and the
// framework's table of defaults (docs/factors/README.md) is checked against them.

/** How long the enforcer waits for the quota store before it denies: 1 s. */
export const DEFAULT_STORE_TIMEOUT_MS = 1_000;
/** How long a file store operation waits for another process's lock: 500 ms. */
export const DEFAULT_LOCK_TIMEOUT_MS = 500;
/**
 * How many journal lines past its snapshot the file store lets accumulate before it compacts
 * the journal (rewrites it as a snapshot of the state): 10,000 lines, about 1.5 MB.
 */
export const DEFAULT_COMPACT_EVERY = 10_000;
