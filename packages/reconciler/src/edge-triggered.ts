import type { DesiredChange } from './desired-state.ts';
import type { AgentRuntime } from './simulated-runtime.ts';

/**
 * ANTI-PATTERN, kept in the package to be tested against: an edge-triggered handler turns
 * each change event into one write and never reads what runs. Miss one event (a dropped
 * watch, a crash, a failed call) and the runtime stays wrong until the same object happens
 * to change again; drift that produces no desired-state event is never repaired. Use
 * `Controller` with a level-triggered reconcile function instead.
 */
export class EdgeTriggeredHandler {
  readonly #runtime: AgentRuntime;
  readonly #failures: { change: DesiredChange; error: unknown }[] = [];

  constructor(runtime: AgentRuntime) {
    this.#runtime = runtime;
  }

  /** Events whose write failed. Each one is lost: nothing will try it again. */
  get failures(): readonly { change: DesiredChange; error: unknown }[] {
    return this.#failures;
  }

  /** Applies one change event to the runtime as it is described, without looking. */
  async handle(change: DesiredChange): Promise<void> {
    try {
      if (change.type === 'created') await this.#runtime.create(change.name, change.spec);
      else if (change.type === 'updated') await this.#runtime.update(change.name, change.spec);
      else await this.#runtime.delete(change.name);
    } catch (error) {
      this.#failures.push({ change, error });
    }
  }
}
