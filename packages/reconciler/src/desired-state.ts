import { validateAgentSpec } from './agent-deployment.ts';
import type { AgentDeploymentSpec } from './agent-deployment.ts';

/** A change to the declared state, as a watch would deliver it. */
export type DesiredChange =
  | { readonly type: 'created' | 'updated'; readonly name: string; readonly spec: AgentDeploymentSpec }
  | { readonly type: 'deleted'; readonly name: string };

/**
 * The declared agent deployments (in production: custom resources in the Kubernetes API,
 * or rows in a database). Every change is validated, stored, then announced to watchers.
 */
export class DesiredState {
  readonly #specs = new Map<string, AgentDeploymentSpec>();
  readonly #watchers = new Set<(change: DesiredChange) => void>();

  /** Declares `spec` for `name` (validated, then stored); throws `InvalidAgentSpec` on bad input. */
  apply(name: string, spec: AgentDeploymentSpec): void {
    const valid = validateAgentSpec(name, spec);
    const type = this.#specs.has(name) ? 'updated' : 'created';
    this.#specs.set(name, valid);
    this.#announce({ type, name, spec: valid });
  }

  /** Removes the declaration of `name`; the loop will remove what runs under it. */
  delete(name: string): void {
    if (!this.#specs.delete(name)) return;
    this.#announce({ type: 'deleted', name });
  }

  get(name: string): AgentDeploymentSpec | undefined {
    return this.#specs.get(name);
  }

  names(): string[] {
    return [...this.#specs.keys()];
  }

  /** A copy of every declaration, for comparison in tests and the demo. */
  snapshot(): Map<string, AgentDeploymentSpec> {
    return new Map(this.#specs);
  }

  /** Calls `watcher` on every later change; returns a function that stops it. */
  watch(watcher: (change: DesiredChange) => void): () => void {
    this.#watchers.add(watcher);
    return () => {
      this.#watchers.delete(watcher);
    };
  }

  #announce(change: DesiredChange): void {
    for (const watcher of this.#watchers) watcher(change);
  }
}
