// Check 1: the twelve factor files exist under FRAMEWORK.md's names, each with its H1.
import { FACTOR_FILE_PATTERN } from '../factors.ts';
import { factorPages } from '../factor-pages.ts';
import { EXPECTED_FACTORS, FACTORS_DIR } from '../framework.ts';
import type { Problem } from '../problems.ts';
import type { Repo } from '../repo.ts';
import { editDistance } from '../similarity.ts';

function problem(file: string, line: number, message: string, fix: string): Problem {
  return { check: 'factor-files', file, line, message, fix };
}

export function checkFactorFiles(repo: Repo): Problem[] {
  return [...checkNames(repo), ...checkTitles(repo)];
}

function checkNames(repo: Repo): Problem[] {
  const problems: Problem[] = [];
  const present = repo.docFiles
    .filter((file) => file.startsWith(`${FACTORS_DIR}/`) && !file.slice(FACTORS_DIR.length + 1).includes('/'))
    .map((file) => file.slice(FACTORS_DIR.length + 1))
    .filter((name) => name !== 'README.md');
  const expectedNames = EXPECTED_FACTORS.map((factor) => factor.file);
  const missing = new Set(expectedNames.filter((name) => !present.includes(name)));
  const strangers = present.filter((name) => !expectedNames.includes(name));
  // Pair each stranger with the nearest missing name, nearest pairs first, so two misnamed
  // files never claim the same expected name.
  const pairs = strangers
    .flatMap((stranger) => [...missing].map((name) => ({ stranger, name, distance: nameDistance(stranger, name) })))
    .filter((pair) => pair.distance <= Math.max(3, Math.floor(pair.name.length / 3)) || pair.stranger.slice(0, 3) === pair.name.slice(0, 3))
    .sort((a, b) => a.distance - b.distance);
  const renamed = new Map<string, string>();
  for (const pair of pairs) {
    if (renamed.has(pair.stranger) || !missing.has(pair.name)) continue;
    renamed.set(pair.stranger, pair.name);
    missing.delete(pair.name);
  }
  for (const stranger of strangers) {
    const file = `${FACTORS_DIR}/${stranger}`;
    const target = renamed.get(stranger);
    if (target !== undefined) {
      problems.push(problem(file, 1, `'${stranger}' is not one of the twelve factor file names of FRAMEWORK.md`, `Rename it to '${target}'`));
    } else if (/^\d/.test(stranger)) {
      problems.push(problem(file, 1, `'${stranger}' is not one of the twelve factor files of FRAMEWORK.md`, 'Remove it, or move a page that is not a factor out of docs/factors'));
    }
  }
  for (const name of missing) {
    const factor = EXPECTED_FACTORS.find((candidate) => candidate.file === name);
    const heading = factor === undefined ? '' : ` with the H1 '# Factor ${factor.numeral}: ${factor.title}'`;
    problems.push(problem(`${FACTORS_DIR}/${name}`, 1, 'factor file is missing', `Create it${heading} and the spine of FRAMEWORK.md`));
  }
  return problems;
}

function nameDistance(stranger: string, expected: string): number {
  const bare = (name: string) => name.replace(/\.md$/, '');
  const strangerBare = bare(stranger);
  // A file that lost its numeric prefix is as close as a one-letter slip.
  const withoutPrefix = FACTOR_FILE_PATTERN.test(stranger) ? strangerBare : strangerBare.replace(/^\d*-?/, '');
  return Math.min(editDistance(strangerBare, bare(expected)), editDistance(withoutPrefix, bare(expected).slice(3)) + 1);
}

function checkTitles(repo: Repo): Problem[] {
  const problems: Problem[] = [];
  for (const page of factorPages(repo)) {
    const wanted = `# Factor ${page.expected.numeral}: ${page.expected.title}`;
    const h1s = page.headings.filter((heading) => heading.level === 1);
    const first = h1s[0];
    if (first === undefined) {
      problems.push(problem(page.path, 1, 'the factor page has no H1', `Start the file with '${wanted}'`));
      continue;
    }
    if (first.text !== wanted.slice(2)) {
      problems.push(problem(page.path, first.line, `the H1 is '# ${first.text}' but this file is Factor ${page.expected.numeral}`, `Write it as '${wanted}'`));
    }
    const earlier = page.headings.find((heading) => heading.line < first.line);
    if (earlier !== undefined) {
      problems.push(problem(page.path, earlier.line, `'${'#'.repeat(earlier.level)} ${earlier.text}' comes before the H1`, 'Put the H1 first'));
    }
    for (const extra of h1s.slice(1)) {
      problems.push(problem(page.path, extra.line, `a second H1 '# ${extra.text}'`, 'Keep one H1 per page; make this an H2 of the spine or an H3 under one'));
    }
  }
  return problems;
}
