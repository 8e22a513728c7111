// The factor pages that exist under their expected names. Checks beyond the file names only
// look at these: a misnamed file is reported once, by name, and checked once it is renamed.
import type { ExpectedFactor } from './framework.ts';
import { EXPECTED_FACTORS, FACTORS_DIR } from './framework.ts';
import type { Heading } from './markdown.ts';
import { findHeadings, splitLines } from './markdown.ts';
import type { Repo } from './repo.ts';

export interface FactorPage {
  readonly expected: ExpectedFactor;
  /** Relative to the repository root. */
  readonly path: string;
  readonly lines: readonly string[];
  readonly headings: readonly Heading[];
}

export function factorPages(repo: Repo): FactorPage[] {
  return EXPECTED_FACTORS.flatMap((expected) => {
    const path = `${FACTORS_DIR}/${expected.file}`;
    if (!repo.isFile(path)) return [];
    const lines = splitLines(repo.read(path));
    return [{ expected, path, lines, headings: findHeadings(lines) }];
  });
}
