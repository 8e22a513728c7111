// blackboard's defaults, one name each: the code reads them from here.

/** The largest shard input a board accepts, as UTF-8 bytes of its JSON: 64 KiB. */
export const DEFAULT_MAX_INPUT_BYTES = 65_536;
/** How many runs a shard gets before it is `failed`: 3. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** The first back-off after a failed run; it doubles per attempt: 1 s. */
export const DEFAULT_BACKOFF_BASE_MS = 1_000;
/** The longest back-off between two runs of a shard: 60 s. */
export const DEFAULT_BACKOFF_MAX_MS = 60_000;
/** How long a worker's claim on a shard lasts unless renewed: 30 s. */
export const DEFAULT_CLAIM_TTL_MS = 30_000;
/** How long an idle worker waits before it looks at the board again: 200 ms. */
export const DEFAULT_IDLE_WAIT_MS = 200;
