export { BudgetEnforcer } from './enforcer.ts';
export type { BudgetEnforcerOptions, Guarded, WorkDone } from './enforcer.ts';
export { MemoryQuotaStore } from './store.ts';
export { validateCommitReceipt, validateReleaseReceipt, validateReservation } from './store-answers.ts';
export type { CommitRequest, ReleaseRequest, ReserveRequest } from './store-answers.ts';
export type { Awaitable, QuotaStore } from './store.ts';
export { FileQuotaStore } from './file-store.ts';
export type { Compaction, FileQuotaStoreOptions, JournalRepair, JournalStats } from './file-store.ts';
export { PostgresQuotaStore } from './postgres-store.ts';
export type { PostgresQuotaStoreOptions } from './postgres-store.ts';
export { QUOTA_SCHEMA } from './postgres-schema.ts';
export { LATE_COMMIT_WINDOW_MS, QuotaLedger, RECEIPT_RETENTION_MS, RECEIPT_RETENTION_SETTLEMENTS } from './ledger.ts';
export type { LedgerEvent, LedgerRecord, LedgerStateRecord, ScopeLedger } from './ledger.ts';
export type { CommitReceipt, Denial, NotRecorded, ReleaseReceipt, Reservation, UsageSnapshot } from './outcomes.ts';
export type { QuotaLimits, QuotaSpec, WindowSpec } from './quota-spec.ts';
export type { Dimension, Usage, UsageInput } from './usage.ts';
// The clock lives in core; re-exported so callers of this package need only one import.
export { ManualClock, systemClock } from '@12-factor-agentops/core';
export type { Clock } from '@12-factor-agentops/core';
export { NaiveLimiter } from './naive-limiter.ts';
export { budgetQuotaSchema, loadBudgetQuota, toQuotaSpec } from './budget-quota-resource.ts';
export type { BudgetQuotaResource, BudgetQuotaSchema } from './budget-quota-resource.ts';
export {
  BudgetQuotaInvalid,
  InvalidAmount,
  InvalidQuotaSpec,
  JournalCorrupt,
  JournalTornTail,
  JournalWindowMismatch,
  JournalWriteRefused,
  QuotaUsageError,
  ReservationSettled,
  ScopeWindowMismatch,
  StoreAnswerInvalid,
  StoreClosed,
  StoreTimeout,
  UnknownReservation,
  UnknownScope,
} from './errors.ts';
// The file lock is core's; its timeout error is re-exported so callers can catch it by this package's name too.
export { LockTimeout } from '@12-factor-agentops/core';
export { DEFAULT_COMPACT_EVERY, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STORE_TIMEOUT_MS } from './defaults.ts';
