export { canonicalJson, CanonicalEncodingError, type JsonValue } from '@12-factor-agentops/approval-gates';
export { InvalidRecord, type AuditEntry, type StoredLine, type AuditRecord, type GateDetail, type GateRecord, type IntentRecord, type OutcomeRecord } from './entry.ts';
export {
  MerkleTree,
  MerkleProofError,
  RootMismatch,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  verifyInclusion,
} from './merkle.ts';
export {
  CheckpointRejected,
  CheckpointRootMismatch,
  InvalidCheckpointKey,
  ed25519Signer,
  ed25519Verifier,
  hmacSha256Signer,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  type CheckpointAlgorithm,
  type CheckpointSigner,
  type CheckpointVerifier,
  type LogHead,
  type SignedCheckpoint,
} from './checkpoint.ts';
export {
  verifyChain,
  type ChainBroken,
  type ChainIntact,
  type ChainProblem,
  type UnfinishedCall,
  type VerificationReport,
  type VerifyOptions,
} from './verify.ts';
export { verifyRecordInclusion } from './record-proof.ts';
export { MemoryAuditStore, MemoryCheckpointStore, type AuditStore, type CheckpointStore } from './store.ts';
export { FileAuditStore, FileCheckpointStore, type FileAuditStoreOptions } from './file-store.ts';
export { AppenderUnavailable, TornTail, repairTornTail, systemClock, type Clock, type SyncMode, type TornTailRepair } from '@12-factor-agentops/core';
export {
  AuditTrail,
  AuditWriteFailed,
  CallSequenceError,
  ChainVerificationFailed,
  type AuditTrailOptions,
  type GateDecision,
  type InclusionProof,
  type RecordedEntry,
  type ToolCallIntent,
  type ToolCallOutcome,
} from './trail.ts';
export { OutcomeNotRecorded, recordToolCall, type RecordToolCallOptions, type SettledCall } from './tool-call.ts';
export type { ToolCallRecorder } from './tool-call.ts';
export { gateAuditSink } from './gate-sink.ts';
export { routingDecisionRecord, type RouterDecision, type RoutingDecision, type RoutingDecisionRecord } from './routing-record.ts';
export { DEFAULT_CHECKPOINT_EVERY, DEFAULT_MAX_BATCH } from './defaults.ts';
export { DEFAULT_CHECKPOINTER_INTERVAL_MS, DEFAULT_CHECKPOINTER_LEASE_MS } from './defaults.ts';
export type { SealedEntry } from './entry.ts';
export {
  AUDIT_TRAIL_SCHEMA,
  AuditAppendConflict,
  PostgresAuditStore,
  PostgresCheckpointStore,
  StoredHeadInvalid,
  type ChainSource,
  type PostgresStoreOptions,
  type SealOutcome,
  type SequencedAuditStore,
} from './postgres-store.ts';
export { SharedAuditTrail, type SharedAuditTrailOptions } from './shared-trail.ts';
export { AuditCheckpointer, type AuditCheckpointerOptions, type CheckpointRound } from './checkpointer.ts';
