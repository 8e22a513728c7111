// audit-trail's defaults, one name each: the code reads them from here and the
// framework's table of defaults (docs/factors/README.md) is checked against them.

/** The most entries the log holds after its last durable checkpoint: a signed checkpoint is written once this many follow it (and on close). */
export const DEFAULT_CHECKPOINT_EVERY = 100;
/** Most entries sealed and stored in one group commit. */
export const DEFAULT_MAX_BATCH = 256;
