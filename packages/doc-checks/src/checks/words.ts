// Check 11: a factor page stays short enough to read as one idea; the cut stays cut.
import { factorPages } from '../factor-pages.ts';
import type { Problem } from '../problems.ts';
import type { Repo } from '../repo.ts';
import { countPageWords, PROSE_WORD_LIMIT, UNCOUNTED_SECTIONS } from '../words.ts';

const UNCOUNTED = UNCOUNTED_SECTIONS.map((section) => `'## ${section}'`).join(' and ');

export function checkWords(repo: Repo): Problem[] {
  return factorPages(repo).flatMap((page): Problem[] => {
    const words = countPageWords(page.lines, page.headings);
    if (words <= PROSE_WORD_LIMIT) return [];
    return [
      {
        check: 'words',
        file: page.path,
        line: 1,
        message: `the page has ${String(words)} words of prose, more than ${String(PROSE_WORD_LIMIT)}`,
        fix: `Cut what restates another section or another page and link to it instead; code blocks, ${UNCOUNTED} are not counted`,
      },
    ];
  });
}
