// Each failure test copies the valid fixture tree to a temporary folder, breaks one thing
// and asserts the exact report, so every check is seen to fail for the right reason.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { CheckName } from '../src/problems.ts';
import { formatProblem } from '../src/problems.ts';
import { checkRepository } from '../src/run.ts';

export const VALID_REPO = fileURLToPath(new URL('./fixtures/valid', import.meta.url));

const created: string[] = [];

afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of the valid fixture repository, removed after the test. */
export function copyValidRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'doc-checks-'));
  created.push(dir);
  cpSync(VALID_REPO, dir, { recursive: true });
  return dir;
}

/** Rewrites one file of a copied tree; fails the test when the change would change nothing. */
export function edit(root: string, file: string, change: (text: string) => string): void {
  const path = join(root, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing; the test would prove nothing`);
  writeFileSync(path, after);
}

/** Replaces exactly one occurrence of `from` in a file. */
export function replaceOnce(root: string, file: string, from: string, to: string): void {
  edit(root, file, (text) => {
    const first = text.indexOf(from);
    if (first < 0 || text.indexOf(from, first + 1) >= 0) throw new Error(`'${from}' does not occur exactly once in ${file}`);
    return text.slice(0, first) + to + text.slice(first + from.length);
  });
}

/** The formatted problems of one check (or all) for the repository at `root`. */
export function reported(root: string, check?: CheckName): string[] {
  const report = checkRepository(root, check === undefined ? {} : { only: check });
  return report.problems.filter((problem) => check === undefined || problem.check === check).map(formatProblem);
}
