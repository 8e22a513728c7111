import { durationMs, systemScheduler, wholeNumber } from '@12-factor-agentops/core';
import type { MonotonicClock, Timers } from '@12-factor-agentops/core';
import { DEFAULT_COOL_DOWN_MS, DEFAULT_FAILURE_THRESHOLD, DEFAULT_PROBE_TIMEOUT_MS } from './defaults.ts';
import { callListener } from './listener.ts';

/** `closed`: calls pass. `open`: calls fail fast. `half-open`: one probe call may pass. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of `CircuitBreaker`. */
export interface CircuitBreakerOptions {
  /** Measures the cool-down and times the probe. Default the system's; tests pass a `VirtualScheduler`. */
  scheduler?: MonotonicClock & Timers;
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe may pass. Default 60,000 ms (1 min). */
  coolDownMs?: number;
  /** How long the probe may take before it counts as a failure. Default 30,000 ms (30 s). */
  probeTimeoutMs?: number;
  /** Which errors say the dependency is unhealthy. Default: every error. */
  isFailure?: (error: unknown) => boolean;
  /** Called on every change of state, for logs and metrics. */
  onStateChange?: (from: CircuitState, to: CircuitState) => void;
  /** Told when `onStateChange` throws; the breaker goes on regardless. Default: one line on `console.error`. */
  onListenerError?: (error: unknown, from: CircuitState, to: CircuitState) => void;
}

/** A call was refused without reaching the dependency because the circuit is open. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  /** Milliseconds until a probe may pass (0 while a probe is in flight). */
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    super(
      retryAfterMs > 0
        ? `Circuit open: the dependency failed repeatedly, so this call was not sent. A probe may pass in ${retryAfterMs} ms; retry after that.`
        : 'Circuit half-open: a probe call is testing the dependency, so this call was not sent. Retry once the probe has answered.',
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** The probe was sent but did not answer in time: the circuit opened again, and its answer, if it comes, is ignored. */
export class CircuitProbeTimeout extends Error {
  override readonly name = 'CircuitProbeTimeout';
  readonly timeoutMs: number;
  /** Milliseconds until the next probe may pass: a full cool-down. */
  readonly retryAfterMs: number;

  constructor(timeoutMs: number, retryAfterMs: number) {
    super(
      `Circuit half-open: the probe got no answer within ${timeoutMs} ms, so the dependency counts as down and the circuit opened again; ` +
        `a late answer is ignored. A new probe may pass in ${retryAfterMs} ms; retry after that.`,
    );
    this.timeoutMs = timeoutMs;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Stops calling a dependency that keeps failing: after `failureThreshold` consecutive
 * failures (default 5) the circuit opens and calls fail fast with `CircuitOpenError`;
 * after `coolDownMs` (default 60 s) one probe may pass; its success closes the circuit,
 * its failure, or no answer within `probeTimeoutMs` (default 30 s), opens it again.
 * Time is measured on a monotonic clock, so a wall clock set back cannot hold it open.
 * Defaults follow the framework's v1 guidance, to tune.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
  readonly probeTimeoutMs: number;
  readonly #scheduler: MonotonicClock & Timers;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #onStateChange: (from: CircuitState, to: CircuitState) => void;
  readonly #onListenerError: (error: unknown, from: CircuitState, to: CircuitState) => void;
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #openedAt = 0;
  #probeInFlight = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = wholeNumber('failureThreshold', options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD, 1);
    this.coolDownMs = durationMs('coolDownMs', options.coolDownMs ?? DEFAULT_COOL_DOWN_MS);
    this.probeTimeoutMs = durationMs('probeTimeoutMs', options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#isFailure = options.isFailure ?? (() => true);
    this.#onStateChange = options.onStateChange ?? (() => undefined);
    this.#onListenerError = options.onListenerError ?? printListenerError;
  }

  get state(): CircuitState {
    return this.#state;
  }

  // #region circuit-breaker
  /** Runs `operation` if the circuit lets it through, and records how it went. */
  async call<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#state === 'open') {
      const waitMs = this.#openedAt + this.coolDownMs - this.#scheduler.monotonicNow();
      if (waitMs > 0) throw new CircuitOpenError(Math.ceil(waitMs)); // fail fast: the dependency is not called
      this.#moveTo('half-open');
    }
    if (this.#state === 'half-open') {
      if (this.#probeInFlight) throw new CircuitOpenError(0);
      return this.#probe(operation);
    }
    try {
      const result = await operation();
      this.#recordAnswer(false);
      return result;
    } catch (error) {
      // "Not found" or "rejected" is still an answer: only isFailure errors count against it.
      if (this.#isFailure(error)) this.#recordFailure(false);
      else this.#recordAnswer(false);
      throw error;
    }
  }

  /** The one call let through while half-open. Its answer decides, or its silence does. */
  #probe<T>(operation: () => Promise<T>): Promise<T> {
    this.#probeInFlight = true;
    return new Promise<T>((resolve, reject) => {
      let decided = false;
      // The first of answer and timeout decides; whatever comes later is ignored.
      const decide = (failed: boolean): boolean => {
        if (decided) return false;
        decided = true;
        this.#probeInFlight = false;
        cancelTimeout();
        if (failed) this.#recordFailure(true);
        else this.#recordAnswer(true);
        return true;
      };
      const cancelTimeout = this.#scheduler.setTimer(this.probeTimeoutMs, () => {
        if (decide(true)) reject(new CircuitProbeTimeout(this.probeTimeoutMs, this.coolDownMs));
      });
      new Promise<T>((answer) => answer(operation())).then(
        (result) => {
          if (decide(false)) resolve(result);
        },
        (error: unknown) => {
          if (decide(this.#isFailure(error))) reject(error);
        },
      );
    });
  }
  // #endregion circuit-breaker

  #recordFailure(probing: boolean): void {
    this.#consecutiveFailures++;
    if (this.#state === 'open') return; // a call that started before the circuit opened
    if (probing || this.#consecutiveFailures >= this.failureThreshold) {
      this.#openedAt = this.#scheduler.monotonicNow();
      this.#moveTo('open');
    }
  }

  #recordAnswer(probing: boolean): void {
    this.#consecutiveFailures = 0;
    if (probing) this.#moveTo('closed');
  }

  #moveTo(next: CircuitState): void {
    const previous = this.#state;
    if (previous === next) return;
    this.#state = next;
    // The listener runs inside a call's answer or a probe's timer: its error must not change the decision.
    callListener(
      () => this.#onStateChange(previous, next),
      (error) => this.#onListenerError(error, previous, next),
    );
  }
}

function printListenerError(error: unknown, from: CircuitState, to: CircuitState): void {
  console.error(`CircuitBreaker: an onStateChange listener threw on ${from} -> ${to}; the breaker went on. Fix the listener, or pass onListenerError to handle this.`, error);
}
