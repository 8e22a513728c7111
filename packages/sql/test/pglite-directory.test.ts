// PGlite serves one process per data directory: a second opener must be refused, not silently
// lose its writes.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FileLock, InvalidOptionError } from '@12-factor-agentops/core';
import type { LockRepair } from '@12-factor-agentops/core';
import { describe, expect, it } from 'vitest';
import { DataDirectoryInUse, PGliteClient, connect } from '../src/index.ts';
import { pgliteTemplate } from '../src/testing/index.ts';
import { kill9, startChild } from './support/child.ts';
import { useTempDir } from './support/temp.ts';

const tempDir = useTempDir();

async function openDirectory(directory: string): Promise<PGliteClient> {
  return PGliteClient.open({ directory, loadDataDir: await pgliteTemplate() });
}

describe('a PGlite data directory', () => {
  it('refuses a second process with DataDirectoryInUse, naming the holder and telling to use a server', { timeout: 120_000 }, async () => {
    const directory = join(await tempDir(), 'db');
    const holder = startChild('pglite-holder.ts', [directory, 'template']);
    try {
      await holder.ready;
      const before = await readdir(directory);
      const error = await connect(`pglite://${directory}`).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DataDirectoryInUse);
      expect((error as Error).message).toContain(`The PGlite data directory ${directory} is already open (held by PID ${String(holder.process.pid)} on `);
      expect((error as Error).message).toContain('Use one process, or a PostgreSQL server (postgres://…) for several processes.');
      expect(await readdir(directory)).toEqual(before);
    } finally {
      await kill9(holder);
    }
  });

  it('refuses a second opener in the same process, and admits it once the first closed', { timeout: 60_000 }, async () => {
    const directory = join(await tempDir(), 'db');
    const first = await openDirectory(directory);
    await first.query('CREATE TABLE kept (n int)');
    await first.query('INSERT INTO kept VALUES (42)');
    await expect(openDirectory(directory)).rejects.toThrow(DataDirectoryInUse);
    // The lock lies beside the directory, so a dump or copy of the directory never carries it.
    expect((await readdir(dirname(directory))).sort()).toEqual(['db', 'db.lock']);
    await first.close();
    expect(await readdir(dirname(directory))).toEqual(['db']);
    const second = await connect(`pglite://${directory}`);
    try {
      expect(second).toMatchObject({ kind: 'pglite', target: `pglite://${directory}` });
      expect((await second.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
    } finally {
      await second.close();
    }
  });

  it('is not blocked by a holder killed with SIGKILL: its lock is broken and the break reported', { timeout: 120_000 }, async () => {
    const directory = join(await tempDir(), 'db');
    const holder = startChild('pglite-holder.ts', [directory, 'template']);
    await holder.ready;
    await kill9(holder);
    const repairs: LockRepair[] = [];
    const db = await PGliteClient.open({ directory, onRepair: (repair) => repairs.push(repair) });
    try {
      expect(repairs).toContainEqual(expect.objectContaining({ kind: 'stale-lock-broken', pid: holder.process.pid }));
      expect((await db.query('SELECT body FROM notes')).rows).toEqual([{ body: 'from the holder' }]);
    } finally {
      await db.close();
    }
  });

  it('is <dataDirectory>/pglite when connect gets no URL, and connect needs one of the two', async () => {
    const dataDirectory = await tempDir();
    const holder = new FileLock(join(dataDirectory, 'pglite.lock'));
    await holder.acquire();
    try {
      await expect(connect(undefined, { dataDirectory })).rejects.toThrow(`The PGlite data directory ${join(dataDirectory, 'pglite')} is already open`);
    } finally {
      await holder.release();
    }
    await expect(connect(undefined)).rejects.toThrow(InvalidOptionError);
    await expect(connect(undefined)).rejects.toThrow('Expected `dataDirectory` to be a directory for the embedded database, since no database URL was given');
  });
});
