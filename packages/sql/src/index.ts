export { connect } from './connect.ts';
export type { ConnectOptions } from './connect.ts';
export type { IsolationLevel, QueryResult, Row, SqlClient, SqlExecutor, TransactionOptions } from './client.ts';
export { ServerClient, isConnectionError } from './server-client.ts';
export type { ServerClientOptions, ServerTarget } from './server-client.ts';
export { PGliteClient } from './pglite-client.ts';
export type { PGliteClientOptions } from './pglite-client.ts';
export { parseDatabaseUrl, redactPassword } from './url.ts';
export type { DatabaseTarget } from './url.ts';
export { SqlFragment, sql } from './sql-template.ts';
export type { SqlQuery } from './sql-template.ts';
export { isRetryableConflict, withRetry } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { SCHEMA_VERSIONS_TABLE, applySchema, schemaVersion } from './schema.ts';
export type { SchemaMigration, SchemaOutcome, StoreSchema } from './schema.ts';
export { FencingTokenRejected } from './lease.ts';
export type { ClaimRequest, Lease, LeaseLossReason, LeaseOffer, LeaseStore } from './lease.ts';
export { MemoryLeases } from './memory-leases.ts';
export { LEASES_SCHEMA, SqlLeases } from './sql-leases.ts';
export {
  CommitOutcomeUnknown,
  DataDirectoryInUse,
  DatabaseAuthFailed,
  DatabaseClosed,
  DatabaseNotFound,
  DatabaseUnavailable,
  InvalidDatabaseUrl,
  QueryOutsideTransaction,
  RetriesExhausted,
  SchemaTooNew,
  TransactionAborted,
  TransactionFinished,
  sqlState,
} from './errors.ts';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_PGLITE_FOLDER,
  DEFAULT_POOL_SIZE,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_TRANSACTION_ATTEMPTS,
} from './defaults.ts';
