import { hostname } from 'node:os';
import { durationMs, readClock, systemScheduler, wholeNumber } from '@12-factor-agentops/core';
import type { CancelTimer, Scheduler } from '@12-factor-agentops/core';
import { FencingTokenRejected } from '@12-factor-agentops/sql';
import { DEFAULT_LEASE_TTL_MS, DEFAULT_POLL_INTERVAL_MS, DEFAULT_RETRY_DELAY_MS, DEFAULT_WORKER_CONCURRENCY } from './defaults.ts';
import { describeFailure } from './inbox.ts';
import type { ClaimedEvent, EventInbox } from './inbox.ts';
import type { EventMetrics } from './metrics.ts';

/** What an agent's handler receives: one event, already verified and durable. */
export interface InboxEvent {
  readonly source: string;
  readonly deliveryId: string;
  readonly eventType: string | null;
  readonly agent: string;
  readonly payload: unknown;
  readonly receivedAt: number;
  /** 1 on the first try; more after a failure, a crash or a lost lease. The handler must be idempotent. */
  readonly attempt: number;
}

/**
 * One focused agent's entry point. Resolving marks the event done; throwing gives it back for
 * a later retry. `signal` aborts when the worker lost its lease (another worker may be
 * handling the event): stop outside effects then.
 */
export type AgentHandler = (event: InboxEvent, context: { readonly signal: AbortSignal }) => Promise<void>;

/** What a worker did with one claim. */
export type WorkOutcome =
  | { readonly outcome: 'idle' }
  | { readonly outcome: 'handled'; readonly event: InboxEvent }
  | { readonly outcome: 'failed'; readonly event: InboxEvent; readonly error: string }
  /** The lease was lost before the event was marked done: another worker will handle it again. */
  | { readonly outcome: 'lease-lost'; readonly event: InboxEvent }
  /** The inbox could not be read or written; the event stays pending. */
  | { readonly outcome: 'inbox-error'; readonly error: string };

export interface InboxWorkersOptions {
  readonly inbox: EventInbox;
  /** Agent name → handler. An event routed to an agent with no handler fails and is retried. */
  readonly agents: Readonly<Record<string, AgentHandler>>;
  /** Names this process's leases; default `<hostname>-<pid>`. */
  readonly workerId?: string;
  /** Events handled at the same time. Default 4. */
  readonly concurrency?: number;
  /** Lease length; renewed every third of it while a handler runs. Default 30 s. */
  readonly leaseTtlMs?: number;
  /** How long an idle worker waits before it looks again (`wake()` ends the wait). Default 1 s. */
  readonly pollIntervalMs?: number;
  /** How long a failed event waits before its next try. Default 5 s. */
  readonly retryDelayMs?: number;
  readonly scheduler?: Scheduler;
  /** Told of every outcome but `idle`, for logs. */
  readonly onOutcome?: (outcome: WorkOutcome) => void;
  /** Counts dispatches and times handlers. */
  readonly metrics?: EventMetrics;
}

/**
 * Workers that take events from the inbox and hand each to its agent: at least once (an event
 * whose handler threw, whose worker lost its lease or whose process died is handled again),
 * and marked done once (the done-marking write is fenced by the lease's token).
 */
export class InboxWorkers {
  readonly #inbox: EventInbox;
  readonly #agents: Readonly<Record<string, AgentHandler>>;
  readonly #workerId: string;
  readonly #concurrency: number;
  readonly #leaseTtlMs: number;
  readonly #pollIntervalMs: number;
  readonly #retryDelayMs: number;
  readonly #scheduler: Scheduler;
  readonly #onOutcome: (outcome: WorkOutcome) => void;
  readonly #metrics: EventMetrics | undefined;
  #loops: Promise<void>[] = [];
  #stopping = false;
  #wakers = new Set<() => void>();

  constructor(options: InboxWorkersOptions) {
    this.#inbox = options.inbox;
    this.#agents = options.agents;
    this.#workerId = options.workerId ?? `${hostname()}-${process.pid}`;
    this.#concurrency = wholeNumber('concurrency', options.concurrency ?? DEFAULT_WORKER_CONCURRENCY, 1, 256);
    this.#leaseTtlMs = durationMs('leaseTtlMs', options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, { min: 100 });
    this.#pollIntervalMs = durationMs('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    this.#retryDelayMs = durationMs('retryDelayMs', options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, { min: 0 });
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#onOutcome = options.onOutcome ?? (() => {});
    this.#metrics = options.metrics;
  }

  /** Starts `concurrency` loops that claim and handle events until `stop()`. */
  start(): this {
    if (this.#loops.length > 0) return this;
    this.#stopping = false;
    for (let slot = 0; slot < this.#concurrency; slot++) this.#loops.push(this.#loop(`${this.#workerId}/${slot}`));
    return this;
  }

  /** Ends the idle waits: a new event is in the inbox. */
  wake(): void {
    for (const wake of [...this.#wakers]) wake();
  }

  /** Stops claiming, and resolves once every handler running now has finished. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.wake();
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  /** Claims one event, if any is ready, and runs its handler to the end. */
  async handleNext(owner = `${this.#workerId}/0`): Promise<WorkOutcome> {
    let claimed: ClaimedEvent | undefined;
    try {
      claimed = await this.#inbox.claim(owner, this.#now(), this.#leaseTtlMs);
    } catch (error) {
      return this.#report({ outcome: 'inbox-error', error: describeFailure(error) });
    }
    return claimed === undefined ? { outcome: 'idle' } : this.#report(await this.#handle(claimed));
  }

  async #loop(owner: string): Promise<void> {
    while (!this.#stopping) {
      const done = await this.handleNext(owner);
      if (done.outcome === 'idle' || done.outcome === 'inbox-error') await this.#idle();
    }
  }

  async #handle(claimed: ClaimedEvent): Promise<WorkOutcome> {
    const { record } = claimed;
    const event: InboxEvent = {
      source: record.source,
      deliveryId: record.deliveryId,
      eventType: record.eventType,
      agent: record.agent ?? '',
      payload: JSON.parse(record.body),
      receivedAt: record.receivedAt,
      attempt: claimed.attempt,
    };
    const handler = Object.hasOwn(this.#agents, event.agent) ? this.#agents[event.agent] : undefined;
    const lease = new HeldLease(this.#inbox, claimed, this.#leaseTtlMs, this.#scheduler);
    const startedAt = this.#scheduler.monotonicNow();
    const finished = (outcome: 'handled' | 'failed' | 'lease-lost'): void =>
      this.#metrics?.handlerFinished(event.agent, outcome, (this.#scheduler.monotonicNow() - startedAt) / 1000);
    this.#metrics?.dispatched(event.agent);
    try {
      if (handler === undefined) throw new Error(`no handler is registered for agent "${event.agent}"`);
      await handler(event, { signal: lease.signal });
    } catch (error) {
      lease.stopRenewing();
      finished('failed');
      const description = describeFailure(error);
      try {
        const now = this.#now();
        await this.#inbox.release(lease.current, now, now + this.#retryDelayMs, description);
      } catch (releaseError) {
        return { outcome: 'inbox-error', error: describeFailure(releaseError) };
      }
      return { outcome: 'failed', event, error: description };
    }
    lease.stopRenewing();
    try {
      await this.#inbox.markDone(lease.current, this.#now());
      finished('handled');
      return { outcome: 'handled', event };
    } catch (error) {
      if (error instanceof FencingTokenRejected) {
        finished('lease-lost');
        return { outcome: 'lease-lost', event };
      }
      return { outcome: 'inbox-error', error: describeFailure(error) };
    }
  }

  #idle(): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        cancel();
        this.#wakers.delete(done);
        resolve();
      };
      const cancel: CancelTimer = this.#scheduler.setTimer(this.#pollIntervalMs, done);
      this.#wakers.add(done);
    });
  }

  #now(): number {
    return readClock(this.#scheduler, 'the workers\' clock');
  }

  #report(outcome: WorkOutcome): WorkOutcome {
    if (outcome.outcome !== 'idle') this.#onOutcome(outcome);
    return outcome;
  }
}

// A claim kept alive while its handler runs: renewed every third of its length; when a
// renewal is refused, the handler's signal aborts.
class HeldLease {
  readonly #controller = new AbortController();
  #current: ClaimedEvent;
  #cancel: CancelTimer | undefined;
  #stopped = false;

  constructor(
    readonly inbox: EventInbox,
    claimed: ClaimedEvent,
    readonly ttlMs: number,
    readonly scheduler: Scheduler,
  ) {
    this.#current = claimed;
    this.#schedule();
  }

  get current(): ClaimedEvent {
    return this.#current;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  stopRenewing(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #schedule(): void {
    this.#cancel = this.scheduler.setTimer(Math.max(1, Math.floor(this.ttlMs / 3)), () => {
      this.#cancel = undefined;
      this.inbox.renew(this.#current, readClock(this.scheduler), this.ttlMs).then(
        (renewed) => {
          if (this.#stopped) return;
          this.#current = renewed;
          this.#schedule();
        },
        (error: unknown) => {
          if (!this.#stopped) this.#controller.abort(error);
        },
      );
    });
  }
}
