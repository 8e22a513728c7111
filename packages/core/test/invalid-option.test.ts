import { describe, expect, it } from 'vitest';
import { InvalidOptionError, MAX_DURATION_MS, durationMs, positiveNumber, wholeNumber } from '../src/index.ts';

describe('InvalidOptionError', () => {
  it('names the option, what it must be and what came in, with its type', () => {
    const error = new InvalidOptionError('storeTimeoutMs', 'a duration in ms', '1000');
    expect(error.message).toBe('Expected `storeTimeoutMs` to be a duration in ms, got "1000" (string).');
    expect(error).toMatchObject({ name: 'InvalidOptionError', option: 'storeTimeoutMs', received: '1000' });
  });

  it('describes objects, arrays, null and undefined without calling into them', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('touched'); } });
    expect(new InvalidOptionError('x', 'a number', hostile).message).toContain('got an object');
    expect(new InvalidOptionError('x', 'a number', [1]).message).toContain('got an array');
    expect(new InvalidOptionError('x', 'a number', null).message).toContain('got null');
    expect(new InvalidOptionError('x', 'a number', undefined).message).toContain('got undefined');
  });
});

describe('durationMs', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1, 0, MAX_DURATION_MS + 1, '5', null])('refuses %s', (value) => {
    expect(() => durationMs('leaseMs', value)).toThrow(InvalidOptionError);
  });

  it('accepts a duration past Node’s 2^31 - 1 ms timer limit, up to 100 years', () => {
    expect(durationMs('resyncEveryMs', 30 * 24 * 60 * 60 * 1000)).toBe(2_592_000_000);
    expect(durationMs('x', MAX_DURATION_MS)).toBe(MAX_DURATION_MS);
  });

  it('takes its own bounds', () => {
    expect(durationMs('x', 0, { min: 0 })).toBe(0);
    expect(() => durationMs('x', 11, { max: 10 })).toThrow('Expected `x` to be a duration in ms from 1 to 10, got 11 (number).');
  });
});

describe('positiveNumber and wholeNumber', () => {
  it('refuse what is not a finite positive number or a whole number in range', () => {
    expect(() => positiveNumber('perSecond', 0)).toThrow('Expected `perSecond` to be a finite number above 0, got 0 (number).');
    expect(() => wholeNumber('workers', 1.5, 1)).toThrow('Expected `workers` to be a whole number from 1 up, got 1.5 (number).');
    expect(() => wholeNumber('n', 11, 1, 10)).toThrow('a whole number from 1 to 10');
    expect(wholeNumber('workers', 4, 1)).toBe(4);
  });
});
