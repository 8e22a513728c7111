export { planAction, specsEqual, validateAgentSpec, InvalidAgentSpec } from './agent-deployment.ts';
export type { AgentAction, AgentDeploymentSpec } from './agent-deployment.ts';
export { createAgentKeyLister, createAgentReconciler } from './agent-reconciler.ts';
export type { AgentReconcilerOptions } from './agent-reconciler.ts';
export { ExponentialBackoff } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
export { CircuitBreaker, CircuitOpenError, CircuitProbeTimeout } from './circuit-breaker.ts';
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.ts';
export { Controller, ControllerStateError, InvalidReconcileResult } from './controller.ts';
export type { ControllerEvent, ControllerOptions, ShutdownOptions, ShutdownReport } from './controller.ts';
export { DesiredState } from './desired-state.ts';
export type { DesiredChange } from './desired-state.ts';
export { EdgeTriggeredHandler } from './edge-triggered.ts';
export { ReconcileAbandoned, ReconcileTimeout } from './passes.ts';
export { TerminalError } from './reconcile.ts';
export type { Reconcile, ReconcileContext, ReconcileResult } from './reconcile.ts';
export {
  isRuntimeUnavailable,
  RuntimeConflict,
  RuntimeRejected,
  RuntimeUnavailable,
  SimulatedRuntime,
} from './simulated-runtime.ts';
export type { AgentRuntime, Drift, SimulatedRuntimeOptions } from './simulated-runtime.ts';
export { TokenBucket } from './token-bucket.ts';
export type { TokenBucketOptions } from './token-bucket.ts';
export { WorkQueue } from './work-queue.ts';
export type { WorkQueueView } from './work-queue.ts';
export {
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_CAP_MS,
  DEFAULT_COOL_DOWN_MS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_RATE_BURST,
  DEFAULT_RATE_PER_SECOND,
  DEFAULT_RECONCILE_TIMEOUT_MS,
  DEFAULT_RESYNC_EVERY_MS,
  DEFAULT_WORKERS,
} from './defaults.ts';
// Time and option errors live in core; re-exported so users of this package need no second import.
export { InvalidOptionError, SleepAborted, sleep, systemScheduler, VirtualScheduler } from '@12-factor-agentops/core';
export type { CancelTimer, Clock, MonotonicClock, Scheduler, Timers } from '@12-factor-agentops/core';
