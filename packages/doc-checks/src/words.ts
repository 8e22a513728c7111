// Prose words of the factor pages. The principle is meant to read in a few minutes, so a page
// has at most PROSE_WORD_LIMIT words of prose; code, diagrams, the pattern section (held to a
// screen or two per pattern instead) and Factor XII's profile reference are not counted.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FACTOR_FILE_PATTERN } from './factors.ts';
import { IMPLEMENTATION_PATTERNS } from './framework.ts';
import { RepoRootError } from './repo.ts';
import type { Heading } from './markdown.ts';
import { countWords, fencedLines, findHeadings, splitLines, toPlainText } from './markdown.ts';

/** The most words of prose a factor page may have, outside the uncounted sections. */
export const PROSE_WORD_LIMIT = 1200;

/** The H2 sections left out of the count, wherever they stand: each runs to the next H1 or H2. */
export const UNCOUNTED_SECTIONS: readonly string[] = [IMPLEMENTATION_PATTERNS, 'Deployment Profiles'];

export interface PageWords {
  /** Relative to the repository root, e.g. 'docs/factors/08-human-validation.md'. */
  readonly file: string;
  readonly words: number;
}

/** True for each line inside an uncounted section, its heading included. */
function uncountedLines(lines: readonly string[], headings: readonly Heading[]): boolean[] {
  const mask = lines.map(() => false);
  headings.forEach((heading, index) => {
    if (heading.level !== 2 || !UNCOUNTED_SECTIONS.includes(heading.text)) return;
    const next = headings.slice(index + 1).find((later) => later.level <= 2);
    const end = next === undefined ? lines.length : next.line - 1;
    for (let line = heading.line - 1; line < end; line += 1) mask[line] = true;
  });
  return mask;
}

/** Prose words of a page's lines: outside code blocks, HTML comments and the uncounted sections, on the text a reader sees. */
export function countPageWords(lines: readonly string[], headings: readonly Heading[] = findHeadings(lines)): number {
  const fenced = fencedLines(lines);
  const uncounted = uncountedLines(lines, headings);
  const prose = lines
    .filter((_line, index) => fenced[index] !== true && uncounted[index] !== true)
    .join('\n')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .split('\n')
    .map((line) => toPlainText(line.replace(/^\s*(?:#{1,6}\s|>\s*(?:\[![A-Z]+\])?|[-*+]\s+(?:\[[ x]\]\s+)?|\d+[.)]\s)/i, '')));
  return countWords(prose.join(' '));
}

/** Prose words of a factor page's text (see countPageWords). */
export function countProseWords(text: string): number {
  return countPageWords(splitLines(text));
}

/** Each factor file in <root>/docs/factors with its prose word count, in file order. */
export function countFactorWords(root: string): PageWords[] {
  const dir = join(root, 'docs', 'factors');
  if (!existsSync(dir)) throw new RepoRootError(root, 'has no docs/factors/ folder');
  return readdirSync(dir)
    .filter((name) => FACTOR_FILE_PATTERN.test(name))
    .sort()
    .map((name) => ({ file: `docs/factors/${name}`, words: countProseWords(readFileSync(join(dir, name), 'utf8')) }));
}
