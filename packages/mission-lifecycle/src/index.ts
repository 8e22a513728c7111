export {
  MISSION_EVENTS,
  MISSION_GUARDS,
  MISSION_LIFECYCLE,
  MISSION_STATES,
  allowedEvents,
  isMissionEvent,
  isMissionState,
  isTerminal,
  lifecycleMermaid,
  nextState,
} from './lifecycle.ts';
export type { GuardContext, LifecycleTable, MissionEvent, MissionGuard, MissionState, StateSpec, TransitionSpec } from './lifecycle.ts';
export {
  InvalidTransition,
  JournalCorrupt,
  MissionExists,
  MissionNotFound,
  MissionOwned,
  OwnerRecordUnreadable,
  StepFailed,
  UnknownMissionEvent,
  UnknownMissionState,
} from './errors.ts';
export { isMissionId, parseRecord, replay, stepKey } from './journal.ts';
export type {
  ClaimedRecord,
  CreatedRecord,
  MissionRecord,
  MissionSnapshot,
  OwnedRecord,
  StepDoneRecord,
  StepStartedRecord,
  StoredRecord,
  TransitionRecord,
} from './journal.ts';
export { isProcessAlive, thisProcess } from './store.ts';
export type { MissionStore, Ownership, Takeover, WorkerIdentity } from './store.ts';
export { LocalMissionStore } from './local-store.ts';
export { MISSION_SCHEMA, SqlMissionStore } from './sql-store.ts';
export type { SqlMissionStoreOptions } from './sql-store.ts';
export type { LocalMissionStoreOptions } from './local-store.ts';
export { loadMission, resume, resumeWhenFree, sendEvent } from './runner.ts';
export type { ResumeOptions, StepContext, StepFunction } from './runner.ts';
export { DEFAULT_LEASE_TTL_MS, DEFAULT_POLL_INTERVAL_MS } from './defaults.ts';
// The sql package's rejection is the one error for a stale fencing token, on both stores.
export { FencingTokenRejected } from '@12-factor-agentops/sql';
export { formatEvent, startTelemetryServer } from './telemetry.ts';
export type { TelemetryServer, TelemetryServerOptions } from './telemetry.ts';
