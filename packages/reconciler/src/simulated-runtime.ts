import { validateAgentSpec } from './agent-deployment.ts';
import type { AgentDeploymentSpec } from './agent-deployment.ts';
import { sleep } from '@12-factor-agentops/core';
import type { Timers } from '@12-factor-agentops/core';

/**
 * What the reconciler needs from the place agents run (in production: the Kubernetes API
 * for Deployments, or an agent platform's API). `get` resolves `undefined` for "not
 * there" and rejects when it cannot tell: the two must never be confused.
 */
export interface AgentRuntime {
  get(name: string): Promise<AgentDeploymentSpec | undefined>;
  list(): Promise<string[]>;
  create(name: string, spec: AgentDeploymentSpec): Promise<void>;
  update(name: string, spec: AgentDeploymentSpec): Promise<void>;
  /** Removes `name`; resolves if it was already gone. */
  delete(name: string): Promise<void>;
}

/** The runtime did not answer: nothing is known about what runs, and nothing was changed. */
export class RuntimeUnavailable extends Error {
  override readonly name = 'RuntimeUnavailable';
  readonly operation: string;

  constructor(operation: string) {
    super(`Agent runtime unavailable during ${operation}; no state was read or changed. Retry later.`);
    this.operation = operation;
  }
}

/** The runtime answered no: the object changed under the caller (a race with another writer). */
export class RuntimeConflict extends Error {
  override readonly name = 'RuntimeConflict';
}

/** The runtime refused the spec itself; sending it again cannot succeed. */
export class RuntimeRejected extends Error {
  override readonly name = 'RuntimeRejected';
}

/** True for errors that mean the runtime could not be reached (for `CircuitBreaker.isFailure`). */
export function isRuntimeUnavailable(error: unknown): boolean {
  return error instanceof RuntimeUnavailable;
}

/** Drift a test or the demo injects behind the loop's back. */
export type Drift =
  | { readonly kind: 'delete'; readonly name: string }
  | { readonly kind: 'modify'; readonly name: string; readonly patch: Partial<AgentDeploymentSpec> }
  | { readonly kind: 'add'; readonly name: string; readonly spec: AgentDeploymentSpec };

/** Options of `SimulatedRuntime`. */
export interface SimulatedRuntimeOptions {
  /** Times the calls' latency. */
  scheduler: Timers;
  /** Time each call takes, fixed or drawn per call. Default 0 ms. */
  latencyMs?: number | (() => number);
  /** Models the runtime serves; a spec naming another is rejected. Default: any model. */
  servedModels?: readonly string[];
}

/**
 * An in-memory agent runtime that tests and the demo can break: it can go down, and drift
 * can be injected (objects deleted, modified, added). Watchers hear about every change,
 * including drift, as a watch on a real API would.
 */
export class SimulatedRuntime implements AgentRuntime {
  readonly #objects = new Map<string, AgentDeploymentSpec>();
  readonly #watchers = new Set<(name: string) => void>();
  readonly #scheduler: Timers;
  readonly #latency: () => number;
  readonly #servedModels: ReadonlySet<string> | undefined;
  #available = true;
  #requests = 0;

  constructor(options: SimulatedRuntimeOptions) {
    this.#scheduler = options.scheduler;
    const latency = options.latencyMs ?? 0;
    this.#latency = typeof latency === 'number' ? () => latency : latency;
    this.#servedModels = options.servedModels === undefined ? undefined : new Set(options.servedModels);
  }

  /** Calls received, answered or not: how hard the loop is pressing on this dependency. */
  get requests(): number {
    return this.#requests;
  }

  get available(): boolean {
    return this.#available;
  }

  /** Every later call fails with `RuntimeUnavailable` until `bringUp`. */
  takeDown(): void {
    this.#available = false;
  }

  bringUp(): void {
    this.#available = true;
  }

  get(name: string): Promise<AgentDeploymentSpec | undefined> {
    return this.#call(`get "${name}"`, () => this.#objects.get(name));
  }

  list(): Promise<string[]> {
    return this.#call('list', () => [...this.#objects.keys()]);
  }

  create(name: string, spec: AgentDeploymentSpec): Promise<void> {
    return this.#call(`create "${name}"`, () => {
      if (this.#objects.has(name)) throw new RuntimeConflict(`Agent deployment "${name}" already exists; read it again and update it instead.`);
      this.#store(name, spec);
    });
  }

  update(name: string, spec: AgentDeploymentSpec): Promise<void> {
    return this.#call(`update "${name}"`, () => {
      if (!this.#objects.has(name)) throw new RuntimeConflict(`Agent deployment "${name}" does not exist; read it again and create it instead.`);
      this.#store(name, spec);
    });
  }

  delete(name: string): Promise<void> {
    return this.#call(`delete "${name}"`, () => {
      if (this.#objects.delete(name)) this.#announce(name);
    });
  }

  /** Changes what runs without going through the API's checks, and tells watchers. */
  injectDrift(drift: Drift): void {
    const current = this.#objects.get(drift.name);
    if (drift.kind === 'delete') {
      if (!this.#objects.delete(drift.name)) return;
    } else if (drift.kind === 'modify') {
      if (current === undefined) return;
      this.#objects.set(drift.name, Object.freeze({ ...current, ...drift.patch }));
    } else {
      this.#objects.set(drift.name, Object.freeze({ ...drift.spec }));
    }
    this.#announce(drift.name);
  }

  /** What runs now, read directly (even while down): for assertions, not for the loop. */
  snapshot(): Map<string, AgentDeploymentSpec> {
    return new Map(this.#objects);
  }

  /** Calls `watcher` with the name of every object that changes; returns a function that stops it. */
  watch(watcher: (name: string) => void): () => void {
    this.#watchers.add(watcher);
    return () => {
      this.#watchers.delete(watcher);
    };
  }

  async #call<T>(operation: string, body: () => T): Promise<T> {
    this.#requests++;
    const latency = this.#latency();
    if (latency > 0) await sleep(this.#scheduler, latency);
    // Checked when the answer would come back: a runtime that fell over mid-call changes nothing.
    if (!this.#available) throw new RuntimeUnavailable(operation);
    return body();
  }

  #store(name: string, spec: AgentDeploymentSpec): void {
    const valid = validateAgentSpec(name, spec);
    if (this.#servedModels !== undefined && !this.#servedModels.has(valid.model)) {
      throw new RuntimeRejected(`Agent deployment "${name}" asks for model "${valid.model}", which this runtime does not serve (it serves ${[...this.#servedModels].join(', ')}). Change the declared model.`);
    }
    this.#objects.set(name, valid);
    this.#announce(name);
  }

  #announce(name: string): void {
    for (const watcher of this.#watchers) watcher(name);
  }
}
