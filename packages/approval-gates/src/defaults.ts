// approval-gates' defaults, one name each: the code reads them from here and the
// framework's table of defaults (docs/factors/README.md) is checked against them.

/** Default number of distinct approvers: 1. A rule of thumb to tune, not a measured figure. */
export const DEFAULT_REQUIRED_APPROVALS = 1;
/** Default approval lifetime: 24 h, so a plan approved yesterday is asked about again. */
export const DEFAULT_APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;
/** Default time the first approvers have: 4 h, about half a working day. */
export const DEFAULT_GATE_TIMEOUT_MS = 4 * 60 * 60 * 1000;
/**
 * Deepest nesting of objects and arrays a plan may have: 64 levels (`{ "steps": [ … ] }` is 2).
 * A real plan is a few levels deep; much deeper is an accident or an attempt to exhaust the stack.
 */
export const DEFAULT_MAX_PLAN_DEPTH = 64;
/**
 * Longest canonical JSON a plan may have: 1,048,576 characters (UTF-16 code units, which for
 * ASCII are bytes), about 60 times the 40-step plan of the benchmark. It also bounds the work of
 * a plan that repeats one sub-object many times, which is small in memory but not as JSON.
 */
export const DEFAULT_MAX_PLAN_LENGTH = 1_048_576;
