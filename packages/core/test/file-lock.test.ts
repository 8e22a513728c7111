import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLock, InvalidOptionError, LockTimeout } from '../src/index.ts';
import type { LockRepair } from '../src/index.ts';
import { kill9, startChild } from './support/child.ts';
import { useTempDir } from './support/temp.ts';

const tempDir = useTempDir();

function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (pid === undefined) throw new Error('could not start a process');
  return pid;
}

function ownerJson(pid: number): string {
  return JSON.stringify({ pid, host: hostname(), token: randomUUID(), since: Date.now() });
}

describe('FileLock', () => {
  it('admits one holder at a time within a process', async () => {
    const path = join(await tempDir(), 'x.lock');
    const a = new FileLock(path);
    const b = new FileLock(path, { timeoutMs: 50 });
    await a.acquire();
    await expect(b.acquire()).rejects.toThrow(LockTimeout);
    await a.release();
    await b.acquire();
    expect(b.held).toBe(true);
    await b.release();
  });

  it('waits for a live holder in another process and names it when time runs out', async () => {
    const path = join(await tempDir(), 'x.lock');
    const holder = await startChild('lock-holder-process.ts', [path]);
    try {
      const lock = new FileLock(path, { timeoutMs: 100 });
      await expect(lock.acquire()).rejects.toThrow(new RegExp(`held by PID ${String(holder.pid)} on `));
    } finally {
      await kill9(holder);
    }
  });

  it('breaks the lock of a holder killed with SIGKILL, and reports it', async () => {
    const path = join(await tempDir(), 'x.lock');
    const holder = await startChild('lock-holder-process.ts', [path]);
    await kill9(holder);
    const repairs: LockRepair[] = [];
    const lock = new FileLock(path, { timeoutMs: 100, onRepair: (repair) => repairs.push(repair) });
    await lock.acquire();
    expect(repairs).toContainEqual(expect.objectContaining({ kind: 'stale-lock-broken', pid: holder.pid }));
    await lock.release();
  });

  it('removes drafts and claims of dead processes on its first acquire, and keeps a live one', async () => {
    const dir = await tempDir();
    const path = join(dir, 'x.lock');
    const dead = join(dir, `x.lock.${randomUUID()}.tmp`);
    const deadClaim = join(dir, `x.lock.break-${randomUUID()}`);
    const live = join(dir, `x.lock.${randomUUID()}.tmp`);
    const tornOld = join(dir, `x.lock.${randomUUID()}.tmp`);
    const tornNew = join(dir, `x.lock.${randomUUID()}.tmp`);
    const unrelated = join(dir, 'y.lock.0b7e2f1c-0000-4000-8000-000000000000.tmp');
    await writeFile(dead, ownerJson(deadPid()));
    await writeFile(deadClaim, ownerJson(deadPid()));
    await writeFile(live, ownerJson(process.pid));
    await writeFile(tornOld, '{"pid":12');
    await utimes(tornOld, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await writeFile(tornNew, '{"pid":12');
    await writeFile(unrelated, ownerJson(deadPid()));
    const repairs: LockRepair[] = [];
    const lock = new FileLock(path, { onRepair: (repair) => repairs.push(repair) });
    await lock.acquire();
    await lock.release();
    const left = (await readdir(dir)).sort();
    expect(left).toEqual([live, tornNew, unrelated].map((file) => file.slice(dir.length + 1)).sort());
    expect(repairs.filter((repair) => repair.kind === 'leftover-removed')).toHaveLength(3);
  });

  it('refuses a timeout that is not a duration', () => {
    expect(() => new FileLock('/tmp/x.lock', { timeoutMs: Number.NaN })).toThrow(InvalidOptionError);
    expect(() => new FileLock('/tmp/x.lock', { timeoutMs: -1 })).toThrow('Expected `FileLock timeoutMs` to be a duration in ms from 0');
  });
});
