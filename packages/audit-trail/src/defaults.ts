// audit-trail's defaults, one name each: the code reads them from here and the
// framework's table of defaults (docs/factors/README.md) is checked against them.

/** The most entries the log holds after its last durable checkpoint: a signed checkpoint is written once this many follow it (and on close). */
export const DEFAULT_CHECKPOINT_EVERY = 100;
/** Most entries sealed and stored in one group commit. */
export const DEFAULT_MAX_BATCH = 256;
/** How long the checkpointer lease of a shared log lasts without renewal, in ms. */
export const DEFAULT_CHECKPOINTER_LEASE_MS = 30_000;
/** How often `AuditCheckpointer.run` holds its lease and signs the new head, in ms. */
export const DEFAULT_CHECKPOINTER_INTERVAL_MS = 1_000;
