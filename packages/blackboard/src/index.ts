export type { Blackboard, ClaimRequest } from './board.ts';
export { MemoryBoard } from './memory-board.ts';
export { BLACKBOARD_SCHEMA, SqlBoard } from './sql-board.ts';
export { BoardWatcher } from './watcher.ts';
export { coordinate, mergeKey, mergeMission, runWorker } from './worker.ts';
export type { MergeOutcome, ShardHandler, WorkerEvent, WorkerOptions, WorkerSummary } from './worker.ts';
export { runChain } from './chain.ts';
export type { ChainLink, ChainOutcome } from './chain.ts';
export { backoffMs, canonicalJson } from './model.ts';
export type {
  BoardOptions,
  BoardRules,
  Change,
  Changes,
  Claim,
  Entry,
  FailOutcome,
  Json,
  MissionSpec,
  RunStatus,
  Shard,
  ShardRun,
  ShardSpec,
  ShardStatus,
  ShardView,
} from './model.ts';
export { Conflict, FencingTokenRejected, InputTooLarge, IntentChanged, NotJson, ShardNotFound, UnknownShardType } from './errors.ts';
export {
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_MAX_MS,
  DEFAULT_CLAIM_TTL_MS,
  DEFAULT_IDLE_WAIT_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_INPUT_BYTES,
} from './defaults.ts';
