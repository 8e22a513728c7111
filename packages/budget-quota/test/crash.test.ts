import { watch } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileQuotaStore } from '../src/index.ts';
import { kill9, startChild } from './support/child.ts';
import { teamQuota } from './support/quotas.ts';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'budget-quota-crash-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const isLockLeftover = (name: string): boolean => name.startsWith('quota.journal.lock.');

describe('a process killed with SIGKILL', () => {
  it('leaves lock drafts behind only until the next open, which removes them and reports each', { timeout: 60_000 }, async () => {
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

    const store = await FileQuotaStore.open(journal, { quotas: [teamQuota({ limits: { tokens: 1_000_000_000 } })] });
    await store.close();
    expect((await readdir(directory)).filter(isLockLeftover)).toEqual([]);
    const removed = store.repairs.filter((repair) => repair.kind === 'lock-leftover-removed').map((repair) => repair.path);
    for (const name of leftovers) if (!name.endsWith('.lock')) expect(removed).toContain(join(directory, name));
  });
});
