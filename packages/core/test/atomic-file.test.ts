import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { removeReplaceDrafts, replaceFileAtomically } from '../src/index.ts';
import { kill9, startChild } from './support/child.ts';
import { useTempDir } from './support/temp.ts';

const tempDir = useTempDir();

describe('replaceFileAtomically', () => {
  it('replaces the whole file and leaves no draft behind', async () => {
    const dir = await tempDir();
    const path = join(dir, 'journal.jsonl');
    await writeFile(path, 'old\n');
    await replaceFileAtomically(path, 'snapshot\ntail\n');
    expect(await readFile(path, 'utf8')).toBe('snapshot\ntail\n');
    expect(await readdir(dir)).toEqual(['journal.jsonl']);
  });

  it('leaves the old file or the new one, whole, when its process is killed at any moment', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    await writeFile(path, 'A'.repeat(1 << 20));
    for (let round = 0; round < 4; round++) {
      const child = await startChild('replacer-process.ts', [path]);
      await delay(50 + Math.floor(Math.random() * 200));
      await kill9(child);
      const content = await readFile(path, 'utf8');
      expect(content.length).toBe(1 << 20);
      expect(content === 'A'.repeat(1 << 20) || content === 'B'.repeat(1 << 20)).toBe(true);
      await removeReplaceDrafts(path);
      expect(await readdir(dir)).toEqual(['state.json']);
    }
  });

  it('removes only its own drafts for the given file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.json');
    await writeFile(join(dir, 'a.json.0b7e2f1c-0000-4000-8000-000000000000.replace.tmp'), 'x');
    await writeFile(join(dir, 'b.json.0b7e2f1c-0000-4000-8000-000000000000.replace.tmp'), 'x');
    expect(await removeReplaceDrafts(path)).toEqual(['a.json.0b7e2f1c-0000-4000-8000-000000000000.replace.tmp']);
    expect(await readdir(dir)).toEqual(['b.json.0b7e2f1c-0000-4000-8000-000000000000.replace.tmp']);
  });
});
