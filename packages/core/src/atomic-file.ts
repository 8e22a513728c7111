import { randomUUID } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from './append.ts';

const SUFFIX = '.replace.tmp';

/**
 * Replaces `path` with `data` so that a crash at any point leaves either the old file or the
 * new one, whole, never a mix: the data goes to a temporary file in the same directory, is
 * fdatasynced, renamed over `path` (atomic on POSIX file systems), and the directory is
 * synced. This is how a journal is compacted: write snapshot + tail, then swap it in.
 * Concurrent writers to `path` must be excluded by the caller (a `FileLock`).
 */
export async function replaceFileAtomically(path: string, data: Buffer | string): Promise<void> {
  const draft = `${path}.${randomUUID()}${SUFFIX}`;
  const handle = await open(draft, 'wx');
  try {
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(draft, path);
  } catch (error) {
    await unlink(draft).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Removes the drafts `replaceFileAtomically(path, …)` left behind when its process was killed
 * before the rename; returns their names. Call it while holding the lock that serialises
 * writers of `path`, so no live draft is removed.
 */
export async function removeReplaceDrafts(path: string): Promise<string[]> {
  const prefix = `${basename(path)}.`;
  const removed: string[] = [];
  for (const name of await readdir(dirname(path))) {
    if (name.startsWith(prefix) && name.endsWith(SUFFIX)) {
      await unlink(join(dirname(path), name)).catch(() => undefined);
      removed.push(name);
    }
  }
  return removed;
}
