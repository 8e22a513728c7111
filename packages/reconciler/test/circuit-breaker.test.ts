import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from '../src/index.ts';
import type { CircuitState } from '../src/index.ts';

class Down extends Error {}

function setup(options: { failureThreshold?: number; coolDownMs?: number } = {}) {
  let now = 0;
  const transitions: string[] = [];
  const breaker = new CircuitBreaker({
    ...options,
    clock: { now: () => now },
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
    transitions,
    dependency,
    calls: () => calls,
    setUp: (value: boolean) => (up = value),
    advance: (ms: number) => (now += ms),
  };
}

async function attempt(breaker: CircuitBreaker, operation: () => Promise<string>): Promise<string> {
  return breaker.call(operation).catch((error: unknown) => (error instanceof CircuitOpenError ? 'refused' : 'failed'));
}

describe('CircuitBreaker', () => {
  it('defaults to opening after 5 consecutive failures and probing after 1 minute', () => {
    const breaker = new CircuitBreaker({ clock: { now: () => 0 } });
    expect([breaker.failureThreshold, breaker.coolDownMs, breaker.state]).toEqual([5, 60_000, 'closed']);
  });

  it('opens after the threshold of consecutive failures, then refuses calls without reaching the dependency', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) expect(await attempt(t.breaker, t.dependency)).toBe('failed');
    expect(t.breaker.state).toBe('open');
    t.advance(59_999);
    await expect(t.breaker.call(t.dependency)).rejects.toThrow(/Circuit open: .* A probe may pass in 1 ms/);
    expect(t.calls()).toBe(5);
  });

  it('lets one probe through after the cool-down and closes when it succeeds', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) await attempt(t.breaker, t.dependency);
    t.advance(60_000);
    t.setUp(true);
    expect(await attempt(t.breaker, t.dependency)).toBe('ok');
    expect(t.transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    expect(t.calls()).toBe(6);
  });

  it('opens again for a full cool-down when the probe fails', async () => {
    const t = setup({ failureThreshold: 2, coolDownMs: 1_000 });
    await attempt(t.breaker, t.dependency);
    await attempt(t.breaker, t.dependency);
    t.advance(1_000);
    expect(await attempt(t.breaker, t.dependency)).toBe('failed');
    expect(t.breaker.state).toBe('open');
    t.advance(999);
    expect(await attempt(t.breaker, t.dependency)).toBe('refused');
    expect(t.calls()).toBe(3);
  });

  it('refuses other calls while the probe is in flight', async () => {
    const t = setup({ failureThreshold: 1, coolDownMs: 10 });
    await attempt(t.breaker, t.dependency);
    t.advance(10);
    let release: () => void = () => undefined;
    const probe = t.breaker.call(() => new Promise<string>((resolve) => (release = () => resolve('ok'))));
    await expect(t.breaker.call(t.dependency)).rejects.toThrow(/half-open: a probe call is testing the dependency/);
    release();
    expect(await probe).toBe('ok');
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
            t.advance(gap);
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
