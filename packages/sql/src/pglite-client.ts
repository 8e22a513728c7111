import { mkdir, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as PGliteExports from '@electric-sql/pglite';
import type { PGlite, Results, Transaction } from '@electric-sql/pglite';
import { FileLock, LockTimeout } from '@12-factor-agentops/core';
import type { LockRepair } from '@12-factor-agentops/core';
import { beginIsolation, refuseInsideOwnTransaction, runTransactionFunction, toQuery } from './client.ts';
import type { QueryResult, Row, SqlClient, SqlExecutor, TransactionOptions } from './client.ts';
import { DataDirectoryInUse, DatabaseClosed, TransactionAborted } from './errors.ts';
import { withRetry } from './retry.ts';
import type { SqlFragment, SqlQuery } from './sql-template.ts';

/** Options of an embedded PGlite client. */
export interface PGliteClientOptions {
  /** A data directory to keep the database in; without it the database lives in memory. */
  readonly directory?: string;
  /** Starts from this dump (`dumpDataDir`) instead of running initdb: how test templates open fast. */
  readonly loadDataDir?: Blob;
  /** Told when the directory lock of a killed process was broken. */
  readonly onRepair?: (repair: LockRepair) => void;
}

// int8 (type 20) arrives as a bigint, as from the server client (PGlite's default would round past 2^53).
const parsers = { 20: (value: string) => BigInt(value) };

type PGliteModule = typeof PGliteExports;
let pgliteModule: Promise<PGliteModule> | undefined;

// Loaded on first use: a process that only talks to a server never parses PGlite's code.
function loadPGlite(): Promise<PGliteModule> {
  pgliteModule ??= import('@electric-sql/pglite');
  return pgliteModule;
}

/**
 * An embedded PGlite behind the `SqlClient` interface. PGlite has one connection, so
 * transactions run one after another and never conflict. With a data directory, the
 * directory is locked (`<directory>.lock`, beside it) for as long as the client is open: a
 * second opener, in this process or another, gets `DataDirectoryInUse`.
 */
export class PGliteClient implements SqlClient {
  readonly kind = 'pglite';
  readonly target: string;
  readonly #db: PGlite;
  readonly #module: PGliteModule;
  readonly #lock: FileLock | undefined;
  #closed = false;

  private constructor(target: string, db: PGlite, module: PGliteModule, lock: FileLock | undefined) {
    this.target = target;
    this.#db = db;
    this.#module = module;
    this.#lock = lock;
  }

  static async open(options: PGliteClientOptions = {}): Promise<PGliteClient> {
    const module = await loadPGlite();
    if (options.directory === undefined) {
      const db = new module.PGlite({ parsers, ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }) });
      await db.waitReady;
      return new PGliteClient('pglite://memory', db, module, undefined);
    }
    const directory = await canonicalDirectory(options.directory);
    const target = `pglite://${directory}`;
    // Beside the directory, not inside it: a dump of the directory (a test template, a backup)
    // must never carry a lock file into the copy.
    const lock = new FileLock(`${directory}.lock`, { timeoutMs: 0, ...(options.onRepair === undefined ? {} : { onRepair: options.onRepair }) });
    try {
      await lock.acquire();
    } catch (error) {
      if (error instanceof LockTimeout) throw new DataDirectoryInUse(directory, `held by ${error.holder}`);
      throw error;
    }
    try {
      const db = new module.PGlite(directory, { parsers, ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }) });
      await db.waitReady;
      return new PGliteClient(target, db, module, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** The embedded database itself, for what only PGlite does (`dumpDataDir`). */
  get pglite(): PGlite {
    return this.#db;
  }

  async query<R extends Row = Row>(statement: string | SqlFragment, values?: readonly unknown[]): Promise<QueryResult<R>> {
    this.#checkOpen();
    refuseInsideOwnTransaction(this, this.target);
    return send<R>(this.#db, toQuery(statement, values));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.#checkOpen();
    refuseInsideOwnTransaction(this, this.target);
    const isolation = beginIsolation(options.isolation);
    return withRetry(async () => {
      try {
        return await this.#db.transaction(async (tx: Transaction) => {
          if (isolation !== undefined) await tx.query(isolation);
          return runTransactionFunction(this, this.target, (query) => send(tx, query), work);
        });
      } catch (error) {
        if (error instanceof this.#module.TransactionAbortedError) throw new TransactionAborted(this.target);
        throw error;
      }
    }, options);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#db.close();
    } finally {
      await this.#lock?.release();
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new DatabaseClosed(this.target);
  }
}

async function send<R extends Row>(db: Pick<PGlite, 'query'> | Transaction, query: SqlQuery): Promise<QueryResult<R>> {
  const result: Results<R> = await db.query<R>(query.text, query.values as unknown[]);
  return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
}

// One spelling per directory, so two paths to the same place (a relative path, a symlinked
// parent) take the same lock. The directory itself may not exist yet; its parent is created.
async function canonicalDirectory(directory: string): Promise<string> {
  const parent = dirname(directory);
  await mkdir(parent, { recursive: true });
  return join(await realpath(parent), basename(directory));
}
