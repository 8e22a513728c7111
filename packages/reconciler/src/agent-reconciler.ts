import { planAction } from './agent-deployment.ts';
import type { AgentAction } from './agent-deployment.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import type { DesiredState } from './desired-state.ts';
import { TerminalError } from './reconcile.ts';
import type { Reconcile, ReconcileContext } from './reconcile.ts';
import { RuntimeRejected } from './simulated-runtime.ts';
import type { AgentRuntime } from './simulated-runtime.ts';

/** Options of `createAgentReconciler`. */
export interface AgentReconcilerOptions {
  desired: DesiredState;
  runtime: AgentRuntime;
  /** Every runtime call goes through it; build it with `isFailure: isRuntimeUnavailable`. */
  breaker: CircuitBreaker;
  /** Told about every write that succeeded, for logs and the demo. */
  onAction?: (action: AgentAction) => void;
}

async function applyAction(runtime: AgentRuntime, action: AgentAction): Promise<void> {
  if (action.kind === 'create') return runtime.create(action.name, action.spec);
  if (action.kind === 'update') return runtime.update(action.name, action.spec);
  return runtime.delete(action.name);
}

/**
 * The reconcile function of the agent-deployment example: for one agent name it reads the
 * declared spec and what runs, and makes at most one write to bring them together.
 */
export function createAgentReconciler(options: AgentReconcilerOptions): Reconcile {
  const { desired, runtime, breaker, onAction = () => undefined } = options;
  // #region reconcile-agent-deployment
  return async function reconcileAgentDeployment(name: string, context: ReconcileContext): Promise<void> {
    const want = desired.get(name);
    // If the runtime cannot be read this throws, before any write: "unknown" is never
    // taken for "absent". The loop retries with back-off; the breaker spares the runtime.
    const have = await breaker.call(() => runtime.get(name));
    const action = planAction(name, want, have);
    if (action === undefined) return; // converged: nothing to do
    context.signal.throwIfAborted(); // past its deadline the loop has counted this pass as failed: write nothing
    try {
      await breaker.call(() => applyAction(runtime, action));
    } catch (error) {
      // The runtime refused this spec: sending it again cannot help, a person must change it.
      if (error instanceof RuntimeRejected) throw new TerminalError(error.message, { cause: error });
      throw error; // anything else (a conflict, an outage): retried with back-off
    }
    onAction(action);
  };
  // #endregion reconcile-agent-deployment
}

/**
 * Every name that may need a look: all declared names, plus every name that runs (so
 * extras get removed). While the runtime cannot list, the declared names still come back.
 */
export function createAgentKeyLister(options: Pick<AgentReconcilerOptions, 'desired' | 'runtime' | 'breaker'>): () => Promise<string[]> {
  const { desired, runtime, breaker } = options;
  return async function listAgentNames(): Promise<string[]> {
    const names = new Set(desired.names());
    try {
      for (const name of await breaker.call(() => runtime.list())) names.add(name);
    } catch {
      // Extras wait for a later resync; the declared names are enough to make progress now.
    }
    return [...names];
  };
}
