import pg from 'pg';
import { durationMs, wholeNumber } from '@12-factor-agentops/core';
import { beginStatement, refuseInsideOwnTransaction, runTransactionFunction, toQuery } from './client.ts';
import type { QueryResult, Row, SqlClient, SqlExecutor, TransactionOptions } from './client.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_POOL_SIZE } from './defaults.ts';
import {
  CommitOutcomeUnknown,
  DatabaseAuthFailed,
  DatabaseClosed,
  DatabaseNotFound,
  DatabaseUnavailable,
  TransactionAborted,
  sqlState,
} from './errors.ts';
import { withRetry } from './retry.ts';
import type { SqlFragment, SqlQuery } from './sql-template.ts';

/** Options of a client for a PostgreSQL server. */
export interface ServerClientOptions {
  /** Connections kept open at most; default 10. */
  readonly poolSize?: number;
  /** How long to wait for a connection before `DatabaseUnavailable`; default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Shown in `pg_stat_activity.application_name`. */
  readonly applicationName?: string;
}

/** Where a server client connects: the URL for `pg`, and how to name it in messages. */
export interface ServerTarget {
  readonly connectionString: string;
  readonly user: string;
  readonly database: string;
  readonly display: string;
}

const INT8 = 20;

// int8 arrives as a JavaScript bigint from both drivers: exact, where a number would round
// past 2^53 (PGlite's default) and a string would not compare (pg's default).
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

// SQLSTATEs after which the connection is gone or refused: the server rolled back whatever
// transaction was open, so nothing was applied.
// 57P01–57P03: the server shut the session down; 53300: too many clients; 25P03 and 25P04: the
// server ended a session left idle in a transaction, or whose transaction ran too long
// (idle_in_transaction_session_timeout, transaction_timeout): the transaction is rolled back
// and the connection is gone.
const CONNECTION_STATES = new Set(['57P01', '57P02', '57P03', '53300', '25P03', '25P04']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|not queryable/i;

/** A client for a PostgreSQL server: a `pg` pool whose errors become this package's typed errors. */
export class ServerClient implements SqlClient {
  readonly kind = 'server';
  readonly target: string;
  readonly #pool: pg.Pool;
  readonly #server: ServerTarget;
  #closed = false;

  private constructor(server: ServerTarget, pool: pg.Pool) {
    this.#server = server;
    this.target = server.display;
    this.#pool = pool;
  }

  /** Opens a pool and checks it with one round trip, so a refused password or a missing database fails here. */
  static async open(server: ServerTarget, options: ServerClientOptions = {}): Promise<ServerClient> {
    const pool = new pg.Pool({
      connectionString: server.connectionString,
      max: wholeNumber('poolSize', options.poolSize ?? DEFAULT_POOL_SIZE, 1, 10_000),
      connectionTimeoutMillis: durationMs('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
      ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
      types,
    });
    // An idle connection that breaks (a restarted server) is reported here; without a listener
    // the process would crash. The pool drops it; the next statement opens a new one.
    pool.on('error', () => undefined);
    const client = new ServerClient(server, pool);
    try {
      await client.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  async query<R extends Row = Row>(statement: string | SqlFragment, values?: readonly unknown[]): Promise<QueryResult<R>> {
    this.#checkOpen();
    refuseInsideOwnTransaction(this, this.target);
    const { text, values: parameters } = toQuery(statement, values);
    try {
      return shape<R>(await this.#pool.query(text, parameters as unknown[]));
    } catch (error) {
      throw this.#classify(error);
    }
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.#checkOpen();
    refuseInsideOwnTransaction(this, this.target);
    const begin = beginStatement(options.isolation);
    return withRetry(() => this.#transactionOnce(begin, work), options);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #transactionOnce<T>(begin: string, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let connection: pg.PoolClient;
    try {
      connection = await this.#pool.connect();
    } catch (error) {
      throw this.#classify(error);
    }
    // A checked-out connection that breaks between statements emits 'error'; unheard, it would
    // crash the process. The next statement on it then fails and is classified below.
    let broken: unknown;
    const onError = (error: unknown): void => {
      broken = error;
    };
    connection.on('error', onError);
    let phase: 'work' | 'commit' = 'work';
    try {
      await connection.query(begin);
      const value = await runTransactionFunction(this, this.target, (query) => this.#send(connection, query, () => broken), work);
      phase = 'commit';
      const committed = await connection.query('COMMIT');
      // COMMIT of a transaction in which a statement failed answers ROLLBACK, not an error.
      if (committed.command === 'ROLLBACK') throw new TransactionAborted(this.target);
      return value;
    } catch (error) {
      if (phase === 'work' && broken === undefined) {
        await connection.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError;
        });
      }
      if (phase === 'commit' && isConnectionError(error)) {
        broken = error;
        throw new CommitOutcomeUnknown(this.target, describe(error), { cause: error });
      }
      throw this.#classify(error);
    } finally {
      connection.off('error', onError);
      // A broken connection is destroyed rather than handed to the next caller.
      connection.release(broken === undefined ? undefined : true);
    }
  }

  async #send(connection: pg.PoolClient, query: SqlQuery, broken: () => unknown): Promise<QueryResult<Row>> {
    try {
      return shape(await connection.query(query.text, query.values as unknown[]));
    } catch (error) {
      // A connection that broke while idle fails the next statement with a generic message;
      // the error it broke with says why (for example 57P01, terminated by an administrator).
      throw this.#classify(broken() ?? error);
    }
  }

  #classify(error: unknown): unknown {
    if (error instanceof DatabaseUnavailable || error instanceof TransactionAborted) return error;
    const state = sqlState(error);
    if (state === '28P01' || state === '28000') return new DatabaseAuthFailed(this.#server.user, this.target, state);
    if (state === '3D000') return new DatabaseNotFound(this.#server.database, this.target);
    if (isConnectionError(error)) return new DatabaseUnavailable(this.target, describe(error), { cause: error });
    return error;
  }

  #checkOpen(): void {
    if (this.#closed) throw new DatabaseClosed(this.target);
  }
}

/** Whether `error` means the connection to the server is gone or was never made. */
export function isConnectionError(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) return state.startsWith('08') || CONNECTION_STATES.has(state);
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return error instanceof Error && CONNECTION_MESSAGES.test(error.message);
}

function describe(error: unknown): string {
  const state = sqlState(error);
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message || error.name : String(error);
  if (state !== undefined) return `SQLSTATE ${state}: ${message}`;
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

function shape<R extends Row>(result: pg.QueryResult): QueryResult<R> {
  return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
}
