// Check 3: the one-line rule exists and is short enough to stand on the landing page.
import { factorPages } from '../factor-pages.ts';
import { findRule, RULE_WORD_LIMIT } from '../factors.ts';
import type { Problem } from '../problems.ts';

import type { Repo } from '../repo.ts';

export function checkRules(repo: Repo): Problem[] {
  return factorPages(repo).flatMap((page): Problem[] => {
    // A page without '## The Rule' is reported once, by the spine check.
    if (!page.headings.some((heading) => heading.level === 2 && heading.text === 'The Rule')) return [];
    const rule = findRule(page.lines, page.headings);
    if (!rule.found) {
      return [{ check: 'rule', file: page.path, line: rule.line, message: rule.problem, fix: "Write the factor's rule as the first paragraph under '## The Rule'" }];
    }
    if (rule.words > RULE_WORD_LIMIT) {
      return [{ check: 'rule', file: page.path, line: rule.line, message: `the one-line rule has ${String(rule.words)} words, more than ${String(RULE_WORD_LIMIT)}`, fix: `Shorten it to at most ${String(RULE_WORD_LIMIT)} words; explanation belongs in '## The Principle'` }];
    }
    return [];
  });
}
