// The errors of this package. Each names what went wrong, where, and what to do. A store built
// on this package lets them through: a caller sees `DatabaseUnavailable` whatever the store.

/** A database URL that `connect` cannot use. The message never repeats a password. */
export class InvalidDatabaseUrl extends Error {
  override readonly name = 'InvalidDatabaseUrl';
  constructor(
    /** The URL with any password replaced by `***`. */
    readonly url: string,
    readonly problem: string,
  ) {
    super(
      `Cannot use the database URL ${JSON.stringify(url)}: ${problem}. Use postgres://user:password@host:port/database ` +
        'for a PostgreSQL server, pglite://<directory> for an embedded database kept in a directory, or pglite://memory.',
    );
  }
}

/** The server refused the user name or password (SQLSTATE 28P01 or 28000). */
export class DatabaseAuthFailed extends Error {
  override readonly name = 'DatabaseAuthFailed';
  constructor(
    readonly user: string,
    readonly target: string,
    readonly sqlState: string,
  ) {
    super(
      `PostgreSQL at ${target} refused user "${user}" (SQLSTATE ${sqlState}): wrong password, or no pg_hba.conf rule admits this user. ` +
        'Check the user and password in the database URL; retrying will not help.',
    );
  }
}

/** The database named in the URL does not exist on the server (SQLSTATE 3D000). */
export class DatabaseNotFound extends Error {
  override readonly name = 'DatabaseNotFound';
  constructor(
    readonly database: string,
    readonly target: string,
  ) {
    super(`PostgreSQL at ${target} has no database "${database}". Create it (CREATE DATABASE) or fix the database name in the URL.`);
  }
}

/**
 * The server could not be reached, or the connection broke before the work was committed: the
 * server rolled the transaction back, so nothing of it was applied. Trying again later is safe.
 */
export class DatabaseUnavailable extends Error {
  override readonly name = 'DatabaseUnavailable';
  /** Always true: nothing was applied, so the same work may be tried again once the server is back. */
  readonly retryable = true;
  constructor(
    readonly target: string,
    readonly reason: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`PostgreSQL at ${target} is unavailable (${reason}); nothing was applied. Try again once the server is back.`, options);
  }
}

/**
 * The connection broke while COMMIT was on its way: the server may have committed the
 * transaction or not, and the client cannot tell. Never retried automatically, because
 * running a non-idempotent transaction again could apply it twice.
 */
export class CommitOutcomeUnknown extends Error {
  override readonly name = 'CommitOutcomeUnknown';
  readonly retryable = false;
  constructor(
    readonly target: string,
    reason: string,
    options?: { readonly cause?: unknown },
  ) {
    super(
      `The connection to PostgreSQL at ${target} broke while COMMIT was in flight (${reason}): the transaction may or may not ` +
        'have been applied. Read the data back to find out before doing the work again, or make the work idempotent.',
      options,
    );
  }
}

/**
 * A statement inside the transaction failed and the error was caught, so PostgreSQL aborted the
 * transaction and COMMIT rolled it back. Nothing of it was applied.
 */
export class TransactionAborted extends Error {
  override readonly name = 'TransactionAborted';
  constructor(readonly target: string) {
    super(
      `A transaction on ${target} was rolled back at COMMIT because a statement inside it had failed and its error was caught. ` +
        'Nothing of it was applied. Let statement errors propagate out of the transaction function, or use a savepoint.',
    );
  }
}

/** A retried operation failed with a retryable error on every attempt; `cause` is the last error. */
export class RetriesExhausted extends Error {
  override readonly name = 'RetriesExhausted';
  constructor(
    readonly attempts: number,
    readonly sqlState: string | undefined,
    options: { readonly cause: unknown },
  ) {
    super(
      `Gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}, each failing with ${describeCause(sqlState, options.cause)}. ` +
        'The rows are contended by concurrent transactions: make transactions shorter, touch rows in one order, or allow more attempts.',
      options,
    );
  }
}

/** Another process holds the PGlite data directory. PGlite serves one process per directory. */
export class DataDirectoryInUse extends Error {
  override readonly name = 'DataDirectoryInUse';
  constructor(
    readonly directory: string,
    readonly holder: string,
  ) {
    super(
      `The PGlite data directory ${directory} is already open (${holder}). PGlite serves one process per data directory: ` +
        'a second process would lose writes silently. Use one process, or a PostgreSQL server (postgres://…) for several processes.',
    );
  }
}

/** The database holds a schema version of a store that is newer than this code knows. Nothing was changed. */
export class SchemaTooNew extends Error {
  override readonly name = 'SchemaTooNew';
  constructor(
    readonly store: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `The database holds schema version ${found} of store "${store}", but this code knows versions up to ${known}: a newer ` +
        'release wrote it. Run that release (or newer), or restore a backup taken before the upgrade. Nothing was changed.',
    );
  }
}

/** The client was used after `close()`. */
export class DatabaseClosed extends Error {
  override readonly name = 'DatabaseClosed';
  constructor(readonly target: string) {
    super(`The database client for ${target} is closed; connect again.`);
  }
}

/**
 * `client.query` or `client.transaction` was called inside a transaction function of the same
 * client. That statement would run outside the transaction (on a server) or wait forever (on
 * PGlite, which has one connection): use the `tx` the function received.
 */
export class QueryOutsideTransaction extends Error {
  override readonly name = 'QueryOutsideTransaction';
  constructor(readonly target: string) {
    super(
      `client.query or client.transaction was called on ${target} inside one of its own transaction functions. ` +
        'Run the statement through the transaction handle passed to the function (tx.query), so it belongs to the transaction.',
    );
  }
}

/** A transaction handle was used after its transaction had ended. */
export class TransactionFinished extends Error {
  override readonly name = 'TransactionFinished';
  constructor(readonly target: string) {
    super(`A statement was sent through the handle of a transaction on ${target} that has already ended. Keep tx inside its function.`);
  }
}

/** The SQLSTATE of a PostgreSQL error (both `pg` and PGlite put it in `code`), or undefined. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function describeCause(state: string | undefined, cause: unknown): string {
  if (state === '40001') return 'a serialization failure (SQLSTATE 40001)';
  if (state === '40P01') return 'a deadlock (SQLSTATE 40P01)';
  if (state !== undefined) return `SQLSTATE ${state}`;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
