// Word counts of the factor pages before their pattern sections: the brief's 600–1,400-word
// target is about the principle, so patterns, code and diagrams are not counted.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FACTOR_FILE_PATTERN } from './factors.ts';
import { IMPLEMENTATION_PATTERNS } from './framework.ts';
import { countWords, fencedLines, findHeadings, splitLines, toPlainText } from './markdown.ts';

export interface PageWords {
  /** Relative to the repository root, e.g. 'docs/factors/08-human-validation.md'. */
  readonly file: string;
  readonly words: number;
}

/** Prose words of a factor page before '## Implementation Patterns' (the whole page when it has none). */
export function countProseWords(text: string): number {
  const lines = splitLines(text);
  const patterns = findHeadings(lines).find((heading) => heading.level === 2 && heading.text === IMPLEMENTATION_PATTERNS);
  const end = patterns === undefined ? lines.length : patterns.line - 1;
  const fenced = fencedLines(lines);
  const prose = lines
    .slice(0, end)
    .filter((_line, index) => fenced[index] !== true)
    .join('\n')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .split('\n')
    .map((line) => toPlainText(line.replace(/^\s*(?:#{1,6}\s|>\s*(?:\[![A-Z]+\])?|[-*+]\s+(?:\[[ x]\]\s+)?|\d+[.)]\s)/i, '')));
  return countWords(prose.join(' '));
}

/** Each factor file in <root>/docs/factors with its prose word count, in file order. */
export function countFactorWords(root: string): PageWords[] {
  const dir = join(root, 'docs', 'factors');
  return readdirSync(dir)
    .filter((name) => FACTOR_FILE_PATTERN.test(name))
    .sort()
    .map((name) => ({ file: `docs/factors/${name}`, words: countProseWords(readFileSync(join(dir, name), 'utf8')) }));
}
