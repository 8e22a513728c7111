import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileQuotaStore } from '../src/index.ts';
import { startWorker } from './support/child.ts';

interface Outcome {
  granted: number;
  overLimit: number;
  unavailable: number;
  compactions: number;
  reloads: number;
}

// The two cases run at the same time, each in its own directory: most of their time is spent
// waiting for processes to start and for the lock.
const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe.concurrent('several processes sharing one journal', () => {
  it.each([
    ['never compacted', 10_000],
    ['compacted every 8 lines, by whichever process gets there', 8],
  ])('never commit more than the limit between them, however their reservations interleave (%s)', { timeout: 90_000 }, async (_name, compactEvery) => {
    const directory = await mkdtemp(join(tmpdir(), 'budget-quota-processes-'));
    directories.push(directory);
    const journal = join(directory, 'quota.journal');
    const limit = 500;
    const processes = Array.from({ length: 4 }, () => startWorker<Outcome>('reserver-process.ts', [journal, '16', '10', String(limit), String(compactEvery)]));
    await Promise.all(processes.map((process) => process.ready));
    for (const process of processes) process.go();
    const outcomes = await Promise.all(processes.map((process) => process.done));

    const store = await FileQuotaStore.open(journal, {
      quotas: [{ scope: 'team/research', limits: { tokens: limit }, window: { type: 'fixed', durationMs: 86_400_000 }, leaseMs: 60_000 }],
    });
    const usage = await store.usage('team/research', Date.now());
    await store.close();

    const granted = outcomes.reduce((sum, outcome) => sum + outcome.granted, 0);
    expect(outcomes.every((outcome) => outcome.unavailable === 0)).toBe(true);
    expect(granted).toBe(limit / 10);
    expect(usage.committed.tokens).toBe(limit);
    expect(usage.outstanding.tokens).toBe(0);
    // More than one process won budget: the limit was shared, not taken by whoever started first.
    expect(outcomes.filter((outcome) => outcome.granted > 0).length).toBeGreaterThan(1);
    if (compactEvery < 10_000) {
      // Processes compacted the journal under each other, and the others read the new file.
      const compactions = outcomes.reduce((sum, outcome) => sum + outcome.compactions, 0);
      expect(compactions).toBeGreaterThan(5);
      expect(outcomes.filter((outcome) => outcome.compactions > 0).length).toBeGreaterThan(1);
      expect(outcomes.reduce((sum, outcome) => sum + outcome.reloads, 0)).toBeGreaterThan(5);
    } else {
      expect(outcomes.every((outcome) => outcome.compactions === 0 && outcome.reloads === 0)).toBe(true);
    }
  });
});
