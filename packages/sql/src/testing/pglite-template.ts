// Opening a fresh PGlite runs initdb inside WebAssembly: about 3 s on a quiet machine. A test
// suite opens a copy of a template instead: the first use in any process writes a dump of a
// fresh database under the system temp directory, keyed by the PGlite version; every later
// open loads that dump, which takes a fraction of the time.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { errorCode, replaceFileAtomically } from '@12-factor-agentops/core';
import { PGliteClient } from '../pglite-client.ts';

let template: Promise<Blob> | undefined;

// Node's Blob hands its bytes out in 64 KiB chunks that are then joined again, which for a
// 40 MB dump costs more than PGlite's own work; this Blob hands out one copy of the bytes.
class BytesBlob extends Blob {
  readonly #bytes: Uint8Array;
  override readonly size: number;

  constructor(bytes: Uint8Array) {
    super([], { type: 'application/x-tar' });
    this.#bytes = bytes;
    this.size = bytes.byteLength;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#bytes.slice().buffer;
  }
}

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
    return new BytesBlob(await readFile(path));
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite();
  try {
    await db.waitReady;
    const bytes = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
    // Atomic: a process reading the template sees a whole dump or none. Two processes making
    // it at once both write a valid dump; the last rename wins.
    await replaceFileAtomically(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return new BytesBlob(bytes);
  } finally {
    await db.close();
  }
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = createRequire(import.meta.url)(join(dirname(entry), '..', 'package.json')) as { version: string };
  return manifest.version;
}
