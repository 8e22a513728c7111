export { planAction, specsEqual, validateAgentSpec, InvalidAgentSpec } from './agent-deployment.ts';
export type { AgentAction, AgentDeploymentSpec } from './agent-deployment.ts';
export { createAgentKeyLister, createAgentReconciler } from './agent-reconciler.ts';
export type { AgentReconcilerOptions } from './agent-reconciler.ts';
export { ExponentialBackoff } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
export { CircuitBreaker, CircuitOpenError } from './circuit-breaker.ts';
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.ts';
export { Controller, ControllerStateError, InvalidReconcileResult } from './controller.ts';
export type { ControllerEvent, ControllerOptions } from './controller.ts';
export { DesiredState } from './desired-state.ts';
export type { DesiredChange } from './desired-state.ts';
export { EdgeTriggeredHandler } from './edge-triggered.ts';
export { InvalidOptionError } from './invalid-option.ts';
export { TerminalError } from './reconcile.ts';
export type { Reconcile, ReconcileResult } from './reconcile.ts';
export { sleep, systemScheduler } from './scheduler.ts';
export type { CancelTimer, Clock, Scheduler } from './scheduler.ts';
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
export { VirtualScheduler } from './virtual-scheduler.ts';
export { WorkQueue } from './work-queue.ts';
export {
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_CAP_MS,
  DEFAULT_COOL_DOWN_MS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_RATE_BURST,
  DEFAULT_RATE_PER_SECOND,
  DEFAULT_RESYNC_EVERY_MS,
  DEFAULT_WORKERS,
} from './defaults.ts';
