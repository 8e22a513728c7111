import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ClockReadingInvalid,
  InvalidOptionError,
  MAX_DURATION_MS,
  MAX_NODE_TIMER_MS,
  ManualClock,
  NonDecreasingClock,
  SleepAborted,
  VirtualScheduler,
  readClock,
  setSafeTimer,
  sleep,
  systemScheduler,
} from '../src/index.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('readClock', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a negative time', -1],
    ['a fractional time', 1_700_000_000_000.5],
    ['a string', '1700000000000'],
    ['a time past the last Date', 8.64e15 + 1],
  ])('refuses %s with ClockReadingInvalid naming the reading', (_label, reading) => {
    const clock = { now: () => reading as number };
    expect(() => readClock(clock, 'the test clock')).toThrow(ClockReadingInvalid);
    expect(() => readClock(clock, 'the test clock')).toThrow(/^the test clock answered .* which is not a time/);
  });

  it('turns a clock that throws into ClockReadingInvalid carrying the cause', () => {
    const failure = new Error('clock source gone');
    const error = (() => {
      try {
        readClock({ now: () => { throw failure; } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ClockReadingInvalid);
    expect((error as Error).cause).toBe(failure);
  });

  it('returns a whole, non-negative reading unchanged', () => {
    expect(readClock({ now: () => 1_700_000_000_000 })).toBe(1_700_000_000_000);
    expect(readClock({ now: () => 0 })).toBe(0);
  });
});

describe('NonDecreasingClock', () => {
  it('holds time still while the wall clock is behind its last answer, and reports the step', () => {
    const start = 1_700_000_000_000;
    const wall = new ManualClock(start);
    const steps: number[] = [];
    const clock = new NonDecreasingClock(wall, { onStepBack: (ms) => steps.push(ms) });
    expect(clock.now()).toBe(start);
    wall.set(start - 3_600_000);
    expect(clock.now()).toBe(start);
    expect(steps).toEqual([3_600_000]);
    wall.set(start + 500);
    expect(clock.now()).toBe(start + 500);
  });

  it('still answers when the step-back listener throws', () => {
    const wall = new ManualClock(5_000);
    const clock = new NonDecreasingClock(wall, {
      onStepBack: () => {
        throw new Error('listener failed');
      },
    });
    clock.now();
    wall.set(1_000);
    expect(clock.now()).toBe(5_000);
  });

  it('refuses an invalid reading instead of holding time', () => {
    let reading = 5_000;
    const clock = new NonDecreasingClock({ now: () => reading });
    clock.now();
    reading = Number.NaN;
    expect(() => clock.now()).toThrow(ClockReadingInvalid);
  });
});

describe('ManualClock', () => {
  it('moves forward only by finite, non-negative steps', () => {
    const clock = new ManualClock(100);
    clock.advance(50);
    expect(clock.now()).toBe(150);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => clock.advance(bad)).toThrow(InvalidOptionError);
    }
    expect(clock.now()).toBe(150);
  });

  it('can be set backwards, for tests of a clock that steps back', () => {
    const clock = new ManualClock(100);
    clock.set(40);
    expect(clock.now()).toBe(40);
    expect(() => new ManualClock(Number.NaN)).toThrow(/Expected `ManualClock start` to be a finite time in ms, got NaN \(number\)/);
  });
});

describe('setSafeTimer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits 30 days for a 30-day timer where a bare setTimeout fires after 1 ms', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const bare = vi.fn();
    const safe = vi.fn();
    // The hazard itself: Node treats a delay past 2^31 - 1 ms as 1 ms.
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    setTimeout(bare, 30 * DAY);
    setSafeTimer(30 * DAY, safe);
    vi.advanceTimersByTime(10);
    warning.mockRestore();
    expect(bare).toHaveBeenCalledTimes(1);
    expect(safe).not.toHaveBeenCalled();
    vi.advanceTimersByTime(25 * DAY);
    expect(safe).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5 * DAY - 20);
    expect(safe).not.toHaveBeenCalled();
    vi.advanceTimersByTime(20);
    expect(safe).toHaveBeenCalledTimes(1);
  });

  it('never arms a Node timer longer than 2^31 - 1 ms', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const armed: number[] = [];
    const original = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, delay?: number) => {
      armed.push(delay ?? 0);
      return original(callback, delay);
    }) as typeof setTimeout);
    const fired = vi.fn();
    setSafeTimer(MAX_DURATION_MS, fired);
    vi.advanceTimersByTime(3 * MAX_NODE_TIMER_MS);
    spy.mockRestore();
    expect(fired).not.toHaveBeenCalled();
    expect(armed.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...armed)).toBeLessThanOrEqual(MAX_NODE_TIMER_MS);
  });

  it('is cancelled by its cancel function, even between steps of a long wait', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const fired = vi.fn();
    const cancel = setSafeTimer(40 * DAY, fired);
    vi.advanceTimersByTime(30 * DAY);
    cancel();
    vi.advanceTimersByTime(20 * DAY);
    expect(fired).not.toHaveBeenCalled();
  });

  it.each([
    ['a negative delay', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['more than 100 years', MAX_DURATION_MS + 1],
  ])('refuses %s with InvalidOptionError', (_label, delay) => {
    expect(() => setSafeTimer(delay, () => undefined)).toThrow(InvalidOptionError);
    expect(() => setSafeTimer(delay, () => undefined)).toThrow(/Expected `delayMs` to be a delay in ms from 0/);
  });

  it('fires a short timer on the real clock', async () => {
    const started = performance.now();
    await sleep(systemScheduler, 20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });
});

describe('sleep', () => {
  it('rejects with SleepAborted as soon as its signal aborts, and leaves no timer behind', async () => {
    const scheduler = new VirtualScheduler();
    const controller = new AbortController();
    const waiting = sleep(scheduler, 60_000, controller.signal);
    expect(scheduler.pendingTimers).toBe(1);
    controller.abort('shutting down');
    await expect(waiting).rejects.toMatchObject({ name: 'SleepAborted', reason: 'shutting down' });
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('rejects at once for a signal that has already aborted', async () => {
    const scheduler = new VirtualScheduler();
    await expect(sleep(scheduler, 10, AbortSignal.abort())).rejects.toBeInstanceOf(SleepAborted);
    expect(scheduler.pendingTimers).toBe(0);
  });
});

describe('VirtualScheduler', () => {
  it('fires timers in time order and keeps the monotonic clock apart from a stepped wall clock', async () => {
    const scheduler = new VirtualScheduler(1_000_000);
    const fired: string[] = [];
    scheduler.setTimer(300, () => fired.push('b'));
    scheduler.setTimer(100, () => fired.push('a'));
    scheduler.stepWallClock(-3_600_000);
    expect(scheduler.now()).toBe(1_000_000 - 3_600_000);
    expect(scheduler.monotonicNow()).toBe(0);
    await scheduler.advanceBy(300);
    expect(fired).toEqual(['a', 'b']);
    expect(scheduler.monotonicNow()).toBe(300);
  });

  it('records a callback that throws and still fires the others', async () => {
    const scheduler = new VirtualScheduler();
    const fired: number[] = [];
    scheduler.setTimer(1, () => {
      throw new Error('listener failed');
    });
    scheduler.setTimer(2, () => fired.push(2));
    await scheduler.advanceBy(5);
    expect(fired).toEqual([2]);
    expect(scheduler.callbackErrors).toHaveLength(1);
  });

  it('validates delays like the system timers do', () => {
    const scheduler = new VirtualScheduler();
    expect(() => scheduler.setTimer(Number.NaN, () => undefined)).toThrow(InvalidOptionError);
    expect(() => scheduler.setTimer(-5, () => undefined)).toThrow(InvalidOptionError);
  });
});
