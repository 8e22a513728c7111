import { AsyncLocalStorage } from 'node:async_hooks';
import { InvalidOptionError } from '@12-factor-agentops/core';
import { QueryOutsideTransaction, TransactionFinished } from './errors.ts';
import type { RetryOptions } from './retry.ts';
import { SqlFragment } from './sql-template.ts';
import type { SqlQuery } from './sql-template.ts';

/** A row as both drivers return it: column name to value. `int8` arrives as a `bigint`. */
export type Row = Record<string, unknown>;

/** What a statement returned. */
export interface QueryResult<R extends Row = Row> {
  readonly rows: R[];
  /** Rows returned by a SELECT or changed by an INSERT, UPDATE or DELETE. */
  readonly rowCount: number;
}

/** Something that runs parameterised statements: a client, or the transaction handle a transaction function receives. */
export interface SqlExecutor {
  /**
   * Runs one statement with `$1`, `$2`, … parameters, or a `sql` fragment (then without
   * `values`). Values are always sent as parameters, never spliced into the text.
   */
  query<R extends Row = Row>(statement: string | SqlFragment, values?: readonly unknown[]): Promise<QueryResult<R>>;
}

/** The isolation level a transaction runs at; PostgreSQL's default is read committed. */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Options of `transaction`: the retry options, plus the isolation level. */
export interface TransactionOptions extends RetryOptions {
  readonly isolation?: IsolationLevel;
}

/**
 * The one client interface of the package: a PostgreSQL server through a `pg` pool, or an
 * embedded PGlite. The same SQL runs on both.
 */
export interface SqlClient extends SqlExecutor {
  /** `server` for a PostgreSQL server, `pglite` for an embedded PGlite. */
  readonly kind: 'server' | 'pglite';
  /** Where the client points, for messages: host:port/database, pglite://<dir> or pglite://memory. Never a password. */
  readonly target: string;
  /**
   * Runs `work` in one transaction: COMMIT if it returns, ROLLBACK if it throws, so it applies
   * as a whole or not at all. A serialization failure (40001) or deadlock (40P01) runs `work`
   * again from the start (a fresh transaction) after a jittered pause, up to `attempts` times,
   * then throws `RetriesExhausted`. `work` must therefore have no effect outside the database
   * that cannot be repeated. Every statement must go through `tx`.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Waits for running statements, then closes connections (and for PGlite, releases its data directory). */
  close(): Promise<void>;
}

interface TransactionScope {
  readonly client: object;
  active: boolean;
}

// Marks the asynchronous context of a transaction function, so a statement sent through the
// client instead of the transaction handle is refused instead of silently escaping the
// transaction (server) or waiting forever for the transaction to end (PGlite).
const scopes = new AsyncLocalStorage<TransactionScope>();

/** Throws `QueryOutsideTransaction` when called inside a running transaction function of `client`. */
export function refuseInsideOwnTransaction(client: object, target: string): void {
  const scope = scopes.getStore();
  if (scope !== undefined && scope.active && scope.client === client) throw new QueryOutsideTransaction(target);
}

/**
 * Runs `work(tx)` with `tx` a handle that sends statements through `send` while the function
 * runs and refuses them afterwards (`TransactionFinished`).
 */
export async function runTransactionFunction<T>(
  client: object,
  target: string,
  send: (query: SqlQuery) => Promise<QueryResult<Row>>,
  work: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  const scope: TransactionScope = { client, active: true };
  const tx: SqlExecutor = {
    query: <R extends Row>(statement: string | SqlFragment, values?: readonly unknown[]) => {
      if (!scope.active) return Promise.reject(new TransactionFinished(target));
      return send(toQuery(statement, values)) as Promise<QueryResult<R>>;
    },
  };
  try {
    return await scopes.run(scope, () => work(tx));
  } finally {
    scope.active = false;
  }
}

/** A statement as text and values, whichever way it was given. */
export function toQuery(statement: string | SqlFragment, values?: readonly unknown[]): SqlQuery {
  if (statement instanceof SqlFragment) {
    if (values !== undefined) throw new TypeError('pass values inside the sql`…` fragment, not beside it');
    return statement.toQuery();
  }
  if (typeof statement !== 'string') throw new TypeError(`expected a SQL string or a sql\`…\` fragment, got ${typeof statement}`);
  return { text: statement, values: values ?? [] };
}

/** The SQL that opens a transaction at `isolation` (PostgreSQL's default when undefined). */
export function beginStatement(isolation: IsolationLevel | undefined): string {
  const level = isolationLevel(isolation);
  return level === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${level}`;
}

/** The SQL that sets `isolation` as the first statement of an open transaction, or undefined for the default. */
export function beginIsolation(isolation: IsolationLevel | undefined): string | undefined {
  const level = isolationLevel(isolation);
  return level === undefined ? undefined : `SET TRANSACTION ISOLATION LEVEL ${level}`;
}

function isolationLevel(isolation: IsolationLevel | undefined): string | undefined {
  if (isolation === undefined) return undefined;
  if (isolation !== 'read committed' && isolation !== 'repeatable read' && isolation !== 'serializable') {
    throw new InvalidOptionError('isolation', "'read committed', 'repeatable read' or 'serializable'", isolation);
  }
  return isolation.toUpperCase();
}
