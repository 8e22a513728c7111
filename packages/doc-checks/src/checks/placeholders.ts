// Check 6: nothing published says it is unfinished. Code is exempt: a code block may quote a
// TODO from real source, and this package's README must be able to name the words it bans.
import { lineLocator, maskCode } from '../markdown.ts';
import type { Problem } from '../problems.ts';
import type { Repo } from '../repo.ts';

const PLACEHOLDERS: readonly RegExp[] = [/\b(?:TODO|TBD|FIXME)\b/g, /\blorem\s+ipsum\b/gi, /\bcoming\s+soon\b/gi];

export function checkPlaceholders(repo: Repo): Problem[] {
  const problems: Problem[] = [];
  for (const file of [...repo.docFiles, ...repo.packageReadmes]) {
    const text = maskCode(repo.read(file));
    const lineAt = lineLocator(text);
    for (const pattern of PLACEHOLDERS) {
      for (const match of text.matchAll(pattern)) {
        problems.push({ check: 'placeholders', file, line: lineAt(match.index), message: `placeholder '${match[0].replace(/\s+/g, ' ')}' in published text`, fix: 'Write the finished text, or remove it' });
      }
    }
  }
  return problems;
}
