// audit-trail's defaults, one name each: the code reads them from here and the
// framework's table of defaults (docs/factors/README.md) is checked against them.

/** A signed checkpoint is written after this many entries (and on close). */
export const DEFAULT_CHECKPOINT_EVERY = 100;
/** Most entries sealed and stored in one group commit. */
export const DEFAULT_MAX_BATCH = 256;
