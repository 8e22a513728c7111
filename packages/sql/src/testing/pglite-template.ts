// Opening a fresh PGlite runs initdb inside WebAssembly: about 3 s on a quiet machine. A test
// suite opens a copy of a template instead: the first use in any process writes a dump of a
// fresh database under the system temp directory, keyed by the PGlite version; every later
// open loads that dump, which takes a fraction of the time.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { errorCode, replaceFileAtomically } from '@12-factor-agentops/core';
import { PGliteClient } from '../pglite-client.ts';

let template: Promise<Blob> | undefined;

/** An in-memory PGlite opened from the template: a fresh, empty database for one suite. */
export async function openTestPGlite(): Promise<PGliteClient> {
  return PGliteClient.open({ loadDataDir: await pgliteTemplate() });
}

/** The template dump (a tar of a fresh data directory), made on first use and kept in this process. */
export function pgliteTemplate(): Promise<Blob> {
  template ??= loadOrCreateTemplate().catch((error: unknown) => {
    template = undefined;
    throw error;
  });
  return template;
}

/** Where the template of the installed PGlite version lives. */
export function pgliteTemplatePath(): string {
  return join(tmpdir(), `agentops-pglite-template-${pgliteVersion()}.tar`);
}

async function loadOrCreateTemplate(): Promise<Blob> {
  const path = pgliteTemplatePath();
  try {
    return new Blob([await readFile(path)], { type: 'application/x-tar' });
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  const db = new PGlite();
  try {
    await db.waitReady;
    const dump = await db.dumpDataDir('none');
    // Atomic: a process reading the template sees a whole dump or none. Two processes making
    // it at once both write a valid dump; the last rename wins.
    await replaceFileAtomically(path, Buffer.from(await dump.arrayBuffer()));
    return dump;
  } finally {
    await db.close();
  }
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = createRequire(import.meta.url)(join(dirname(entry), '..', 'package.json')) as { version: string };
  return manifest.version;
}
