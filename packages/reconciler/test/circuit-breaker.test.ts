import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError, CircuitProbeTimeout, VirtualScheduler } from '../src/index.ts';
import type { CircuitState } from '../src/index.ts';
import { expectInvalidOption } from './helpers.ts';

class Down extends Error {}

function setup(options: { failureThreshold?: number; coolDownMs?: number; probeTimeoutMs?: number } = {}) {
  const scheduler = new VirtualScheduler();
  const transitions: string[] = [];
  const breaker = new CircuitBreaker({
    ...options,
    scheduler,
    isFailure: (error) => error instanceof Down,
    onStateChange: (from: CircuitState, to: CircuitState) => transitions.push(`${from}->${to}`),
  });
  let calls = 0;
  let up = false;
  const dependency = async (): Promise<string> => {
    calls++;
    if (!up) throw new Down('down');
    return 'ok';
  };
  return {
    breaker,
    scheduler,
    transitions,
    dependency,
    calls: () => calls,
    setUp: (value: boolean) => (up = value),
    advance: (ms: number) => scheduler.advanceBy(ms),
  };
}

async function attempt(breaker: CircuitBreaker, operation: () => Promise<string>): Promise<string> {
  return breaker.call(operation).catch((error: unknown) => (error instanceof CircuitOpenError ? 'refused' : 'failed'));
}

/** A call whose answer the test gives by hand, or never. */
function pending(): { operation: () => Promise<string>; answer: (value: string) => void; fail: (error: Error) => void } {
  let answer: (value: string) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  return { operation: () => promise, answer: (value) => answer(value), fail: (error) => fail(error) };
}

describe('CircuitBreaker', () => {
  it('defaults to opening after 5 consecutive failures, probing after 1 minute and giving a probe 30 s', () => {
    const breaker = new CircuitBreaker({});
    expect([breaker.failureThreshold, breaker.coolDownMs, breaker.probeTimeoutMs, breaker.state]).toEqual([5, 60_000, 30_000, 'closed']);
  });

  it('opens after the threshold of consecutive failures, then refuses calls without reaching the dependency', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) expect(await attempt(t.breaker, t.dependency)).toBe('failed');
    expect(t.breaker.state).toBe('open');
    await t.advance(59_999);
    await expect(t.breaker.call(t.dependency)).rejects.toThrow(/Circuit open: .* A probe may pass in 1 ms/);
    expect(t.calls()).toBe(5);
  });

  it('lets one probe through after the cool-down and closes when it succeeds', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) await attempt(t.breaker, t.dependency);
    await t.advance(60_000);
    t.setUp(true);
    expect(await attempt(t.breaker, t.dependency)).toBe('ok');
    expect(t.transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    expect(t.calls()).toBe(6);
  });

  it('opens again for a full cool-down when the probe fails', async () => {
    const t = setup({ failureThreshold: 2, coolDownMs: 1_000 });
    await attempt(t.breaker, t.dependency);
    await attempt(t.breaker, t.dependency);
    await t.advance(1_000);
    expect(await attempt(t.breaker, t.dependency)).toBe('failed');
    expect(t.breaker.state).toBe('open');
    await t.advance(999);
    expect(await attempt(t.breaker, t.dependency)).toBe('refused');
    expect(t.calls()).toBe(3);
  });

  it('refuses other calls while the probe is in flight', async () => {
    const t = setup({ failureThreshold: 1, coolDownMs: 10 });
    await attempt(t.breaker, t.dependency);
    await t.advance(10);
    const call = pending();
    const probe = t.breaker.call(call.operation);
    await expect(t.breaker.call(t.dependency)).rejects.toThrow(/half-open: a probe call is testing the dependency/);
    call.answer('ok');
    expect(await probe).toBe('ok');
    expect(t.breaker.state).toBe('closed');
  });

  it('opens again when the probe does not answer within probeTimeoutMs, and ignores its late answer', async () => {
    const t = setup({ failureThreshold: 1, coolDownMs: 1_000, probeTimeoutMs: 500 });
    await attempt(t.breaker, t.dependency);
    await t.advance(1_000);
    const silent = pending();
    const outcome = t.breaker.call(silent.operation).catch((error: unknown) => error);
    await t.advance(499);
    expect(t.breaker.state).toBe('half-open');
    await t.advance(1);
    expect(t.breaker.state).toBe('open');
    const error = await outcome;
    expect(error).toBeInstanceOf(CircuitProbeTimeout);
    expect(String(error)).toBe(
      'CircuitProbeTimeout: Circuit half-open: the probe got no answer within 500 ms, so the dependency counts as down and the circuit opened again; a late answer is ignored. A new probe may pass in 1000 ms; retry after that.',
    );
    // The answer comes after the breaker stopped waiting: it neither closes the circuit nor restarts the cool-down.
    silent.answer('ok');
    await t.advance(999);
    expect(t.breaker.state).toBe('open');
    expect(await attempt(t.breaker, t.dependency)).toBe('refused');
    await t.advance(1);
    t.setUp(true);
    expect(await attempt(t.breaker, t.dependency)).toBe('ok');
    expect(t.transitions).toEqual(['closed->open', 'open->half-open', 'half-open->open', 'open->half-open', 'half-open->closed']);
    expect(t.scheduler.pendingTimers).toBe(0);
  });

  it('ignores a late failure of a timed-out probe, so it cannot restart the cool-down', async () => {
    const t = setup({ failureThreshold: 1, coolDownMs: 1_000, probeTimeoutMs: 500 });
    await attempt(t.breaker, t.dependency);
    await t.advance(1_000);
    const silent = pending();
    const outcome = t.breaker.call(silent.operation).catch((error: unknown) => error);
    await t.advance(500);
    expect(await outcome).toBeInstanceOf(CircuitProbeTimeout);
    await t.advance(900);
    silent.fail(new Down('late'));
    await t.advance(100);
    t.setUp(true);
    expect(await attempt(t.breaker, t.dependency)).toBe('ok');
    expect(t.breaker.state).toBe('closed');
  });

  it('waits out its cool-down on the monotonic clock when the wall clock steps back an hour', async () => {
    const t = setup({ failureThreshold: 1, coolDownMs: 60_000 });
    await attempt(t.breaker, t.dependency);
    t.scheduler.stepWallClock(-3_600_000);
    await t.advance(59_999);
    await expect(t.breaker.call(t.dependency)).rejects.toThrow(/A probe may pass in 1 ms/);
    await t.advance(1);
    t.setUp(true);
    expect(await attempt(t.breaker, t.dependency)).toBe('ok');
    expect(t.breaker.state).toBe('closed');
  });

  it('does not count errors that isFailure rejects, and such an answer resets the count', async () => {
    const t = setup({ failureThreshold: 3 });
    const notFound = async (): Promise<string> => {
      throw new Error('not found');
    };
    await attempt(t.breaker, t.dependency);
    await attempt(t.breaker, t.dependency);
    expect(await attempt(t.breaker, notFound)).toBe('failed');
    await attempt(t.breaker, t.dependency);
    await attempt(t.breaker, t.dependency);
    expect(t.breaker.state).toBe('closed');
    await attempt(t.breaker, t.dependency);
    expect(t.breaker.state).toBe('open');
  });

  it('decides the same when an onStateChange listener throws, and hands the error to onListenerError', async () => {
    const scheduler = new VirtualScheduler();
    const reported: string[] = [];
    const breaker = new CircuitBreaker({
      scheduler,
      failureThreshold: 1,
      coolDownMs: 1_000,
      probeTimeoutMs: 500,
      onStateChange: (from, to) => {
        throw new Error(`listener broke on ${from}->${to}`);
      },
      onListenerError: (error, from, to) => reported.push(`${from}->${to}: ${String(error)}`),
    });
    expect(await attempt(breaker, () => Promise.reject(new Error('down')))).toBe('failed');
    await scheduler.advanceBy(1_000);
    // The probe times out inside a timer: a listener error there must not escape the timer.
    const silent = pending();
    expect(await Promise.all([attempt(breaker, silent.operation), scheduler.advanceBy(500)])).toEqual(['failed', undefined]);
    await scheduler.advanceBy(1_000);
    expect(await attempt(breaker, () => Promise.resolve('ok'))).toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(scheduler.callbackErrors).toEqual([]);
    expect(reported).toEqual([
      'closed->open: Error: listener broke on closed->open',
      'open->half-open: Error: listener broke on open->half-open',
      'half-open->open: Error: listener broke on half-open->open',
      'open->half-open: Error: listener broke on open->half-open',
      'half-open->closed: Error: listener broke on half-open->closed',
    ]);
  });

  it.each([
    ['coolDownMs', { coolDownMs: Number.NaN }, 'NaN (number)'],
    ['coolDownMs', { coolDownMs: -1 }, '-1 (number)'],
    ['probeTimeoutMs', { probeTimeoutMs: Number.POSITIVE_INFINITY }, 'Infinity (number)'],
    ['probeTimeoutMs', { probeTimeoutMs: 0 }, '0 (number)'],
  ])('refuses a %s that is not a duration, naming it', (option, options, received) => {
    expectInvalidOption(
      () => new CircuitBreaker(options),
      option,
      `Expected \`${option}\` to be a duration in ms from 1 to 3153600000000 (100 years), got ${received}.`,
    );
  });

  it('calls a dead dependency at most threshold times plus one probe per cool-down, for any call pattern', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 100, max: 10_000 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 150 }),
        async (failureThreshold, coolDownMs, gaps) => {
          const t = setup({ failureThreshold, coolDownMs });
          let elapsed = 0;
          for (const gap of gaps) {
            await t.advance(gap);
            elapsed += gap;
            await attempt(t.breaker, t.dependency);
          }
          expect(t.calls()).toBeLessThanOrEqual(failureThreshold + Math.floor(elapsed / coolDownMs));
          if (gaps.length >= failureThreshold) expect(t.breaker.state).toBe('open');
        },
      ),
      { numRuns: 150 },
    );
  });
});
