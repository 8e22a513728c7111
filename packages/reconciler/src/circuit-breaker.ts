import { DEFAULT_COOL_DOWN_MS, DEFAULT_FAILURE_THRESHOLD } from './defaults.ts';
import { positiveNumber, wholeNumber } from './invalid-option.ts';
import type { Clock } from './scheduler.ts';

/** `closed`: calls pass. `open`: calls fail fast. `half-open`: one probe call may pass. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of `CircuitBreaker`. */
export interface CircuitBreakerOptions {
  clock: Clock;
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe may pass. Default 60,000 ms (1 min). */
  coolDownMs?: number;
  /** Which errors say the dependency is unhealthy. Default: every error. */
  isFailure?: (error: unknown) => boolean;
  /** Called on every change of state, for logs and metrics. */
  onStateChange?: (from: CircuitState, to: CircuitState) => void;
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

/**
 * Stops calling a dependency that keeps failing: after `failureThreshold` consecutive
 * failures (default 5) the circuit opens and calls fail fast with `CircuitOpenError`;
 * after `coolDownMs` (default 60 s) one probe may pass; its success closes the circuit,
 * its failure opens it again. Defaults follow the framework's v1 guidance, to tune.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
  readonly #clock: Clock;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #onStateChange: (from: CircuitState, to: CircuitState) => void;
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #openedAt = 0;
  #probeInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.failureThreshold = wholeNumber('failureThreshold', options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD, 1);
    this.coolDownMs = positiveNumber('coolDownMs', options.coolDownMs ?? DEFAULT_COOL_DOWN_MS);
    this.#clock = options.clock;
    this.#isFailure = options.isFailure ?? (() => true);
    this.#onStateChange = options.onStateChange ?? (() => undefined);
  }

  get state(): CircuitState {
    return this.#state;
  }

  // #region circuit-breaker
  /** Runs `operation` if the circuit lets it through, and records how it went. */
  async call<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#state === 'open') {
      const waitMs = this.#openedAt + this.coolDownMs - this.#clock.now();
      if (waitMs > 0) throw new CircuitOpenError(waitMs); // fail fast: the dependency is not called
      this.#moveTo('half-open');
    }
    if (this.#state === 'half-open' && this.#probeInFlight) throw new CircuitOpenError(0);
    const probing = this.#state === 'half-open';
    this.#probeInFlight = probing;
    try {
      const result = await operation();
      this.#recordAnswer(probing);
      return result;
    } catch (error) {
      // "Not found" or "rejected" is still an answer: only isFailure errors count against it.
      if (this.#isFailure(error)) this.#recordFailure(probing);
      else this.#recordAnswer(probing);
      throw error;
    } finally {
      if (probing) this.#probeInFlight = false;
    }
  }
  // #endregion circuit-breaker

  #recordFailure(probing: boolean): void {
    this.#consecutiveFailures++;
    if (this.#state === 'open') return; // a call that started before the circuit opened
    if (probing || this.#consecutiveFailures >= this.failureThreshold) {
      this.#openedAt = this.#clock.now();
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
    this.#onStateChange(previous, next);
  }
}
