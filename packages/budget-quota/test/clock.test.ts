import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClockReadingInvalid } from '@12-factor-agentops/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetEnforcer, FileQuotaStore, MemoryQuotaStore } from '../src/index.ts';
import type { Clock } from '../src/index.ts';
import { RecordingStore } from './support/recording-store.ts';
import { teamQuota } from './support/quotas.ts';

const SCOPE = 'team/research';
// Each reading with the name the test prints for it.
const BAD_READINGS: readonly (readonly [string, number])[] = [
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['a negative time', -1],
  ['a fractional time', 1_000_000.5],
  ['a string', '1000000' as unknown as number],
];

function clockAnswering(reading: number): Clock {
  return { now: () => reading };
}

describe('a clock that answers something that is not a time', () => {
  it.each(BAD_READINGS)('denies a reservation without asking the store when the clock answers %s', async (_name, reading) => {
    const store = new RecordingStore([teamQuota()]);
    const budget = new BudgetEnforcer({ store, clock: clockAnswering(reading) });
    const answer = await budget.reserve(SCOPE, { tokens: 100 });
    expect(answer).toMatchObject({ granted: false, reason: 'clock-invalid', scope: SCOPE, used: null, requested: { tokens: 100 } });
    expect(answer.granted ? '' : answer.message).toMatch(/^budget denied for team\/research \(fail closed\): the BudgetEnforcer clock answered .*, which is not a time/);
    expect(store.calls).toEqual([]);
    expect(store.inner.usage(SCOPE, 1_000_000)).toMatchObject({ outstanding: { tokens: 0 }, reservations: 0 });
  });

  it('denies when the clock throws, and names the clock', async () => {
    const store = new RecordingStore([teamQuota()]);
    const broken: Clock = {
      now: () => {
        throw new Error('time source offline');
      },
    };
    const answer = await new BudgetEnforcer({ store, clock: broken }).reserve(SCOPE, { tokens: 1 });
    expect(answer).toMatchObject({ granted: false, reason: 'clock-invalid' });
    expect(store.calls).toEqual([]);
  });

  it('reports a commit and a release as not recorded when the clock turns bad after the reservation, and the estimate stays held', async () => {
    let reading = 1_000_000;
    const store = new RecordingStore([teamQuota()]);
    const budget = new BudgetEnforcer({ store, clock: { now: () => reading } });
    const reservation = await budget.reserve(SCOPE, { tokens: 300 });
    if (!reservation.granted) throw new Error(reservation.message);
    reading = Number.NaN;
    const commit = await budget.commit(reservation, { tokens: 200 });
    const release = await budget.release(reservation);
    expect(commit).toMatchObject({ recorded: false, reason: 'clock-invalid', reservationId: reservation.id });
    expect(release).toMatchObject({ recorded: false, reason: 'clock-invalid', reservationId: reservation.id });
    expect(store.calls.map((call) => call.method)).toEqual(['reserve']);
    expect(store.inner.usage(SCOPE, 1_000_000)).toMatchObject({ committed: { tokens: 0 }, outstanding: { tokens: 300 } });
    reading = 1_000_001;
    expect(await budget.commit(reservation, { tokens: 200 })).toMatchObject({ recorded: true, late: false });
  });

  it('never hands the store a time earlier than one it already handed it, when the wall clock steps back', async () => {
    let reading = 5_000_000;
    const store = new RecordingStore([teamQuota()]);
    const budget = new BudgetEnforcer({ store, clock: { now: () => reading } });
    const first = await budget.reserve(SCOPE, { tokens: 10 });
    reading -= 3_600_000;
    const second = await budget.reserve(SCOPE, { tokens: 10 });
    expect(store.calls.map((call) => call.now)).toEqual([5_000_000, 5_000_000]);
    expect(first.granted && second.granted && second.expiresAt).toBe(5_060_000);
  });
});

describe('a store given a time that is not a time', () => {
  it.each(BAD_READINGS)('the memory store refuses %s with ClockReadingInvalid and holds nothing', (_name, reading) => {
    const store = new MemoryQuotaStore([teamQuota()]);
    expect(() => store.reserve(SCOPE, { tokens: 100, costMinor: 0, toolCalls: 0 }, reading)).toThrow(ClockReadingInvalid);
    expect(store.usage(SCOPE, 1_000_000)).toMatchObject({ outstanding: { tokens: 0 }, reservations: 0 });
  });

  describe('the file store', () => {
    let directory: string;
    beforeEach(async () => {
      directory = await mkdtemp(join(tmpdir(), 'budget-quota-clock-'));
    });
    afterEach(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it.each(BAD_READINGS)('refuses %s, writes no line, and every other process still reads the journal', async (_name, reading) => {
      const journal = join(directory, 'quota.journal');
      const store = await FileQuotaStore.open(journal, { quotas: [teamQuota()] });
      await expect(store.reserve(SCOPE, { tokens: 100, costMinor: 0, toolCalls: 0 }, reading)).rejects.toThrow(ClockReadingInvalid);
      await store.close();
      expect(await readFile(journal, 'utf8')).toBe('');
      const other = await FileQuotaStore.open(journal, { quotas: [teamQuota()] });
      expect(await other.reserve(SCOPE, { tokens: 100, costMinor: 0, toolCalls: 0 }, 1_000_000)).toMatchObject({ granted: true });
      await other.close();
    });
  });
});
