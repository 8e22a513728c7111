import { watch } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileQuotaStore } from '../src/index.ts';
import type { UsageSnapshot } from '../src/index.ts';
import { kill9, startChild } from './support/child.ts';
import { CRASH_HISTORY_END, crashHistory, crashQuotas } from './support/crash-journal.ts';
import { teamQuota } from './support/quotas.ts';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'budget-quota-crash-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const isLockLeftover = (name: string): boolean => name.startsWith('quota.journal.lock.');

async function namesOwner(path: string): Promise<boolean> {
  try {
    return Number.isSafeInteger((JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown }).pid);
  } catch {
    return false;
  }
}

describe('a process killed with SIGKILL', () => {
  it('leaves lock drafts behind only until the next open removes them (one torn mid-write once it is 10 s old), reporting each', { timeout: 60_000 }, async () => {
    const journal = join(directory, 'quota.journal');
    const leftovers = new Set<string>();
    // Kill a process full of lock takers the moment a lock draft appears, until a kill has
    // left drafts behind (each round has a good chance; twelve rounds make a miss unlikely).
    for (let round = 0; round < 12 && leftovers.size === 0; round++) {
      const child = await startChild('lock-churn-process.ts', [journal, '8']);
      await new Promise<void>((resolve) => {
        const watcher = watch(directory, (_event, name) => {
          if (name !== null && isLockLeftover(name) && name.endsWith('.tmp')) {
            watcher.close();
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      await kill9(child);
      for (const name of await readdir(directory)) if (isLockLeftover(name)) leftovers.add(name);
    }
    expect(leftovers.size).toBeGreaterThan(0);

    // A draft whose owner was written whole names a dead PID: the next open removes it. One
    // killed in the middle of being written names no one, and is removed once it is 10 s old,
    // so that a live process's draft is never taken (core's FileLock rule).
    const whole = new Set<string>();
    for (const name of leftovers) if (await namesOwner(join(directory, name))) whole.add(name);
    const quotas = [teamQuota({ limits: { tokens: 1_000_000_000 } })];
    const first = await FileQuotaStore.open(journal, { quotas });
    await first.close();
    const afterFirst = (await readdir(directory)).filter(isLockLeftover);
    for (const name of whole) expect(afterFirst).not.toContain(name);
    expect(first.repairs.filter((repair) => repair.kind === 'lock-leftover-removed').map((repair) => repair.path).sort()).toEqual(
      [...leftovers].filter((name) => !afterFirst.includes(name)).map((name) => join(directory, name)).sort(),
    );
    const elevenSecondsAgo = new Date(Date.now() - 11_000);
    for (const name of afterFirst) await utimes(join(directory, name), elevenSecondsAgo, elevenSecondsAgo);
    const second = await FileQuotaStore.open(journal, { quotas });
    await second.close();
    expect((await readdir(directory)).filter(isLockLeftover)).toEqual([]);
  });
});

/** Whether a lock draft holds a whole owner record (a draft torn by a kill does not). */
function isOwnerRecord(text: string): boolean {
  try {
    const owner = JSON.parse(text) as Record<string, unknown>;
    return typeof owner.pid === 'number' && typeof owner.token === 'string';
  } catch {
    return false;
  }
}

describe('a compaction killed with SIGKILL', () => {
  // What a store holds, compared whole: its own compaction writes every lease, receipt and
  // window entry in a canonical order, so equal text means equal state.
  async function stateOf(path: string): Promise<{ text: string; usage: UsageSnapshot[] }> {
    const store = await FileQuotaStore.open(path, { quotas: crashQuotas, compactEvery: Number.MAX_SAFE_INTEGER });
    try {
      await store.compact();
      const text = await readFile(path, 'utf8');
      const usage = await Promise.all(crashQuotas.map((quota) => store.usage(quota.scope, CRASH_HISTORY_END)));
      return { text, usage };
    } finally {
      await store.close();
    }
  }

  it('leaves the journal as it was or as the compaction wrote it, never a mix; reopening gives the same state and removes the draft', { timeout: 90_000 }, async () => {
    const history = crashHistory();
    const expectedPath = join(directory, 'expected.journal');
    await writeFile(expectedPath, history);
    const expected = await stateOf(expectedPath);
    expect(expected.text.split('\n').length).toBeLessThan(history.split('\n').length / 4);

    // Four processes at once, each on its own copy of the history, each killed at its own
    // moment: as soon as its draft appears, or some milliseconds after. On a busy machine the
    // news of a draft can arrive after the compaction has finished, so batches are repeated
    // (up to five) until a kill lands inside a compaction; every round of every batch is checked.
    let killedInside = false;
    for (let batch = 0; batch < 5 && !killedInside; batch += 1) {
      const rounds = await Promise.all(
        [0, 3, 10, 25].map(async (delayMs, round) => {
          const roundDirectory = join(directory, `batch-${batch}-round-${round}`);
          await mkdir(roundDirectory);
          const journal = join(roundDirectory, 'quota.journal');
          await writeFile(journal, history);
          const child = await startChild('compactor-process.ts', [journal]);
          await new Promise<void>((resolve) => {
            const watcher = watch(roundDirectory, (_event, name) => {
              if (name === null || !name.endsWith('.replace.tmp')) return;
              watcher.close();
              setTimeout(() => {
                child.kill('SIGKILL');
                resolve();
              }, delayMs);
            });
          });
          await kill9(child);
          const drafts = (await readdir(roundDirectory)).filter((name) => name.endsWith('.replace.tmp'));
          const state = await stateOf(journal);
          return { roundDirectory, drafts, state, left: await readdir(roundDirectory) };
        }),
      );
      for (const round of rounds) {
        expect(round.state.text).toBe(expected.text);
        expect(round.state.usage).toEqual(expected.usage);
        // A process killed while writing its lock draft leaves a torn draft that names no
        // owner. The lock cannot tell it from a live process's draft being written, so it
        // removes such a draft only once it is older than any live draft can be (core's
        // FileLock, 10 s): aged past that, the next open removes it.
        const torn: string[] = [];
        for (const name of round.left.filter((entry) => /^quota\.journal\.lock\.[0-9a-f-]{36}\.tmp$/.test(entry))) {
          if (!isOwnerRecord(await readFile(join(round.roundDirectory, name), 'utf8'))) torn.push(name);
        }
        for (const name of torn) {
          const old = new Date(Date.now() - 60_000);
          await utimes(join(round.roundDirectory, name), old, old);
        }
        if (torn.length > 0) await stateOf(join(round.roundDirectory, 'quota.journal'));
        expect(await readdir(round.roundDirectory)).toEqual(['quota.journal']);
        expect(round.left.filter((name) => !torn.includes(name))).toEqual(['quota.journal']);
      }
      killedInside = rounds.some((round) => round.drafts.length > 0);
    }
    // The kills did land inside compactions: at least one left a draft behind.
    expect(killedInside).toBe(true);
  });
});
