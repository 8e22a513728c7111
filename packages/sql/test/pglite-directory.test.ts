// PGlite serves one process per data directory: a second opener must be refused, not silently
// lose its writes.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FileLock, InvalidOptionError } from '@12-factor-agentops/core';
import type { LockRepair } from '@12-factor-agentops/core';
import { describe, expect, it } from 'vitest';
import { DataDirectoryInUse, PGliteClient, connect } from '../src/index.ts';
import { kill9, startChild } from './support/child.ts';
import { useTempDir } from './support/temp.ts';

const tempDir = useTempDir();

describe('a PGlite data directory', () => {
  it('refuses a second process, a second opener in the process, and admits the next one after a SIGKILL or a close', { timeout: 120_000 }, async () => {
    const directory = join(await tempDir(), 'db');
    const holder = startChild('pglite-holder.ts', [directory]);
    try {
      await holder.ready;
      const before = await readdir(directory);
      const refused = await connect(`pglite://${directory}`).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(DataDirectoryInUse);
      expect((refused as Error).message).toContain(`The PGlite data directory ${directory} is already open (held by PID ${String(holder.process.pid)} on `);
      expect((refused as Error).message).toContain('Use one process, or a PostgreSQL server (postgres://…) for several processes.');
      expect(await readdir(directory)).toEqual(before);
    } finally {
      await kill9(holder);
    }

    // The holder was killed with SIGKILL: its lock is broken, the break reported, its data kept.
    const repairs: LockRepair[] = [];
    const first = await PGliteClient.open({ directory, onRepair: (repair) => repairs.push(repair) });
    expect(repairs).toContainEqual(expect.objectContaining({ kind: 'stale-lock-broken', pid: holder.process.pid }));
    expect((await first.query('SELECT body FROM notes')).rows).toEqual([{ body: 'from the holder' }]);
    await first.query("INSERT INTO notes VALUES ('from the first')");
    await expect(connect(`pglite://${directory}`)).rejects.toThrow(DataDirectoryInUse);
    // The lock lies beside the directory, so a dump or copy of the directory never carries it.
    expect((await readdir(dirname(directory))).sort()).toEqual(['db', 'db.lock']);
    await first.close();
    expect(await readdir(dirname(directory))).toEqual(['db']);

    const second = await connect(`pglite://${directory}`);
    try {
      expect(second).toMatchObject({ kind: 'pglite', target: `pglite://${directory}` });
      expect((await second.query('SELECT body FROM notes ORDER BY body')).rows).toEqual([{ body: 'from the first' }, { body: 'from the holder' }]);
    } finally {
      await second.close();
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
