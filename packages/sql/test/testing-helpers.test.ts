// The test helpers themselves: a real server, run as another user when root, a database per
// suite, and nothing left behind when the run ends, is interrupted or is killed.
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { connect } from '../src/index.ts';
import { createTestDatabase, openTestPGlite, pgliteTemplatePath } from '../src/testing/index.ts';
import { removeLeftovers } from '../src/testing/postgres-server.ts';
import { kill9, startChild } from './support/child.ts';

const pgliteVersion = (createRequire(import.meta.url)(join(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json')) as { version: string }).version;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The real user id a process runs as, from /proc. */
function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('Uid:')) ?? '';
  return Number(line.split(/\s+/)[1]);
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!check() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  return check();
}

describe('the run\'s throwaway server', () => {
  it('is a real PostgreSQL server on loopback with room for 200 connections, not run as root', async () => {
    const db = await connect(inject('postgresUrl'));
    try {
      const settings = await db.query<{ version: string; connections: string; pid: number }>(
        "SELECT version() AS version, current_setting('max_connections') AS connections, pg_backend_pid() AS pid",
      );
      const row = settings.rows[0];
      expect(row?.version).toMatch(/^PostgreSQL \d+\.\d+/);
      expect(row?.connections).toBe('200');
      expect(new URL(inject('postgresUrl')).hostname).toBe('127.0.0.1');
      if (process.getuid?.() === 0) expect(uidOf(row?.pid ?? 0)).not.toBe(0);
    } finally {
      await db.close();
    }
  });

  it('gives each suite a database of its own, and drops it', async () => {
    const [first, second] = await Promise.all([createTestDatabase(inject('postgresUrl')), createTestDatabase(inject('postgresUrl'))]);
    expect(first.name).not.toBe(second.name);
    const a = await connect(first.url);
    const b = await connect(second.url);
    try {
      await a.query('CREATE TABLE only_in_first (n int)');
      expect((await b.query("SELECT to_regclass('only_in_first') IS NULL AS absent")).rows).toEqual([{ absent: true }]);
    } finally {
      await a.close();
      await b.close();
    }
    await first.drop();
    await second.drop();
    const admin = await connect(inject('postgresUrl'));
    try {
      const left = await admin.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [[first.name, second.name]]);
      expect(left.rows).toEqual([]);
    } finally {
      await admin.close();
    }
  });
});

describe('startPostgresServer', () => {
  it('stops the server and removes its files when the process running it gets SIGTERM', { timeout: 120_000 }, async () => {
    const owner = startChild('server-owner.ts', []);
    await owner.ready;
    owner.process.kill('SIGTERM');
    const exited = await owner.exited;
    const started = JSON.parse(exited.stdout.split('\n')[0] ?? '{}') as { root: string; pid: number };
    expect(exited.signal).toBe('SIGTERM');
    expect(await waitUntil(() => !isRunning(started.pid), 10_000)).toBe(true);
    expect(existsSync(started.root)).toBe(false);
  });

  it('removes what a run killed with SIGKILL left behind: its server is stopped and its folder deleted', { timeout: 120_000 }, async () => {
    const owner = startChild('server-owner.ts', []);
    await owner.ready;
    await kill9(owner);
    const started = JSON.parse((await owner.exited).stdout.split('\n')[0] ?? '{}') as { root: string; pid: number };
    expect(isRunning(started.pid)).toBe(true);
    expect(existsSync(started.root)).toBe(true);
    removeLeftovers();
    expect(await waitUntil(() => !isRunning(started.pid), 10_000)).toBe(true);
    expect(existsSync(started.root)).toBe(false);
  });
});

describe('openTestPGlite', () => {
  it('opens an empty, working database from a template kept under the temp directory, keyed by PGlite version', { timeout: 120_000 }, async () => {
    const db = await openTestPGlite();
    try {
      expect(db.target).toBe('pglite://memory');
      expect((await db.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows).toEqual([{ n: 0 }]);
      await db.query('CREATE TABLE works (n int)');
      expect(pgliteTemplatePath()).toBe(join(tmpdir(), `agentops-pglite-template-${pgliteVersion}.tar`));
      expect((await stat(pgliteTemplatePath())).size).toBeGreaterThan(1_000_000);
    } finally {
      await db.close();
    }
  });
});
