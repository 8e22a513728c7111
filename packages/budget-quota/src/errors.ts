// Two families of errors. A QuotaUsageError means the caller used the API wrongly (a bad
// amount, an unknown scope or reservation): the enforcer lets it through so the bug is
// seen. Every other error from a store means the store could not answer, which the
// enforcer turns into a denial (fail closed) instead of throwing.

/** Base class of the errors that report a caller's mistake rather than a store failure. */
export class QuotaUsageError extends Error {
  override readonly name: string = 'QuotaUsageError';
}

/** An amount was not a non-negative safe integer (money is integer minor units, never a float). */
export class InvalidAmount extends QuotaUsageError {
  override readonly name = 'InvalidAmount';
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    super(
      `Expected \`${field}\` to be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${describe(value)}. ` +
        'Amounts are whole tokens, whole tool calls and money in integer minor units (cents, not euros).',
    );
  }
}

/** No quota is configured for the scope: there is nothing to enforce, so nothing is allowed. */
export class UnknownScope extends QuotaUsageError {
  override readonly name = 'UnknownScope';
  constructor(
    readonly scope: string,
    readonly known?: readonly string[],
  ) {
    super(
      `No quota is configured for scope "${scope}"${known === undefined ? '' : ` (configured: ${known.length === 0 ? 'none' : known.join(', ')})`}. ` +
        'Add a BudgetQuota for it; calls in a scope without a quota are never allowed.',
    );
  }
}

/** A commit or release named a reservation the store does not know. Nothing was changed. */
export class UnknownReservation extends QuotaUsageError {
  override readonly name = 'UnknownReservation';
  constructor(
    readonly scope: string,
    readonly reservationId: string,
  ) {
    super(
      `Reservation ${reservationId} in scope "${scope}" is not known: it was never issued in this scope, or it was forgotten ` +
        '(24 h after its lease ended unsettled, or 1 to 2 h after it was committed or released). Nothing was changed; ' +
        'commit or release only the reservation your reserve call returned.',
    );
  }
}

/**
 * A commit or release of a reservation that is already settled and does not repeat what
 * settled it: a commit with other usage, a release after a commit, a commit after a release.
 * Nothing was changed. (A repeat with the same usage is not an error: it answers the first receipt.)
 */
export class ReservationSettled extends QuotaUsageError {
  override readonly name = 'ReservationSettled';
  constructor(
    readonly scope: string,
    readonly reservationId: string,
    /** What was committed, formatted; `undefined` when the reservation was released. */
    readonly committed: string | undefined,
    readonly attempted: 'commit' | 'release',
    /** What the refused commit asked to record, formatted. */
    readonly asked?: string,
  ) {
    const settled = committed === undefined ? 'released' : `committed with ${committed}`;
    const refusal =
      committed === undefined
        ? 'a commit is refused: its budget was handed back. Reserve again to count the work.'
        : attempted === 'release'
          ? 'a release is refused: its usage is counted. Nothing was changed.'
          : `a commit with ${asked ?? 'other usage'} is refused. A retry must repeat the same usage; for more work, reserve again.`;
    super(`Reservation ${reservationId} in scope "${scope}" was already ${settled}; ${refusal}`);
  }
}

/** A quota definition is unusable (a negative limit, no limit at all, a cost limit without a currency, …). */
export class InvalidQuotaSpec extends QuotaUsageError {
  override readonly name = 'InvalidQuotaSpec';
  constructor(
    readonly scope: string,
    readonly field: string,
    problem: string,
  ) {
    super(`Quota for scope "${scope}": ${field} ${problem}.`);
  }
}

/** The store did not answer within the enforcer's timeout. */
export class StoreTimeout extends Error {
  override readonly name = 'StoreTimeout';
  constructor(readonly timeoutMs: number) {
    super(`the quota store did not answer within ${timeoutMs} ms`);
  }
}

/**
 * A quota store answered something that is not a well-formed answer to the request: a grant
 * for another scope, without an id, holding less than asked, or whose lease has already ended.
 * The enforcer acts on none of it: a reserve becomes a denial, a commit or release `NotRecorded`.
 */
export class StoreAnswerInvalid extends Error {
  override readonly name = 'StoreAnswerInvalid';
  constructor(
    readonly operation: 'quota' | 'reserve' | 'commit' | 'release',
    readonly problem: string,
  ) {
    super(`the quota store answered nonsense to ${operation}: ${problem}`);
  }
}

/** The file store was used after `close()`. */
export class StoreClosed extends Error {
  override readonly name = 'StoreClosed';
  constructor(readonly path: string) {
    super(`the quota journal ${path} is closed; open a new FileQuotaStore`);
  }
}

/** A complete journal line could not be read as an event: the journal was edited or damaged. */
export class JournalCorrupt extends Error {
  override readonly name = 'JournalCorrupt';
  constructor(
    readonly path: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(
      `Quota journal ${path}, line ${line}: ${problem}. The journal is append-only and written by this ` +
        'package alone; restore it from a backup or move it aside. Nothing is allowed until then.',
    );
  }
}

/** The journal ends in an incomplete line: a writer crashed in the middle of an append. */
export class JournalTornTail extends Error {
  override readonly name = 'JournalTornTail';
  constructor(
    readonly path: string,
    readonly line: number,
    readonly offset: number,
    readonly bytes: number,
  ) {
    super(
      `Quota journal ${path}, line ${line}: the last ${bytes} bytes (from offset ${offset}) are an incomplete ` +
        'record left by a writer that crashed mid-append. That record was never acknowledged to its caller; ' +
        "open the store with { tornTail: 'repair' } to cut it off.",
    );
  }
}

/**
 * A compacted journal holds a scope's usage as counted in one window, and this process
 * configures another for that scope: the saved usage cannot be recounted. Nothing is allowed
 * until every process sharing the journal configures the same window.
 */
export class JournalWindowMismatch extends Error {
  override readonly name = 'JournalWindowMismatch';
  constructor(
    readonly scope: string,
    readonly saved: { readonly type: string; readonly durationMs: number },
    readonly configured: { readonly type: string; readonly durationMs: number },
  ) {
    super(
      `The quota journal's saved state of scope "${scope}" was counted in a ${saved.type} window of ${saved.durationMs} ms, ` +
        `but this process configures a ${configured.type} window of ${configured.durationMs} ms. Configure the same window in ` +
        'every process that shares the journal, or start a new journal (move the old one aside) for the new window.',
    );
  }
}

/**
 * The database counts a scope's usage in another window or currency than this process
 * configures: the usage already counted cannot be recounted. Nothing was written.
 */
export class ScopeWindowMismatch extends Error {
  override readonly name = 'ScopeWindowMismatch';
  constructor(
    readonly scope: string,
    readonly stored: { readonly type: string; readonly durationMs: number; readonly currency: string | undefined },
    readonly configured: { readonly type: string; readonly durationMs: number; readonly currency: string | undefined },
  ) {
    super(
      `The quota database counts scope "${scope}" in a ${describeWindow(stored)}, but this process configures a ${describeWindow(configured)}. ` +
        'Configure the same window and currency in every process that shares the database, or give the new window its own scope. Nothing was written.',
    );
  }
}

function describeWindow(window: { readonly type: string; readonly durationMs: number; readonly currency: string | undefined }): string {
  return `${window.type} window of ${window.durationMs} ms${window.currency === undefined ? ' without a currency' : ` in ${window.currency}`}`;
}

/**
 * The file store refused to write a journal line that its own reader would refuse: one such
 * line would lock every process out of the journal. Nothing was written.
 */
export class JournalWriteRefused extends Error {
  override readonly name = 'JournalWriteRefused';
  constructor(
    readonly eventType: string,
    readonly problem: string,
  ) {
    super(`the quota journal refused to write a "${eventType}" line that no reader would accept (${problem}); nothing was written`);
  }
}

/** A budget-quota custom resource failed its CustomResourceDefinition's schema. */
export class BudgetQuotaInvalid extends Error {
  override readonly name = 'BudgetQuotaInvalid';
  constructor(
    readonly source: string,
    readonly issues: readonly { readonly path: string; readonly line: number; readonly message: string }[],
  ) {
    super(
      `${source}: not a valid BudgetQuota:\n` +
        issues.map((issue) => `  ${source}:${issue.line}: ${issue.path === '' ? '(document)' : issue.path}: ${issue.message}`).join('\n'),
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}" (string)`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${String(value)} (${typeof value})`;
  return value === null ? 'null' : typeof value;
}
