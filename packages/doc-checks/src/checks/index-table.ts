// Check 4: the hand-written index table in docs/factors/README.md says exactly what the
// factor files say. The site derives its grid from the files; GitHub readers get this table.
import { factorPages } from '../factor-pages.ts';
import { findRule, parseFactorHeading, ROMAN_NUMERALS } from '../factors.ts';
import type { ExpectedFactor } from '../framework.ts';
import { EXPECTED_FACTORS, INDEX_FILE } from '../framework.ts';
import { fencedLines, splitLines, toPlainText } from '../markdown.ts';
import type { Problem } from '../problems.ts';
import type { Repo } from '../repo.ts';

const HEADER = ['Factor', 'Title', 'Rule'];

function problem(line: number, message: string, fix: string): Problem {
  return { check: 'index', file: INDEX_FILE, line, message, fix };
}

/** Splits a GFM table row into trimmed cells; `\|` stays inside its cell. */
export function tableCells(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (char === '\\' && line[index + 1] === '|') {
      current += '|';
      index += 1;
    } else if (char === '|') {
      cells.push(current);
      current = '';
    } else {
      current += char ?? '';
    }
  }
  cells.push(current);
  const trimmed = line.trim();
  if (trimmed.startsWith('|')) cells.shift();
  if (trimmed.endsWith('|') && !trimmed.endsWith('\\|')) cells.pop();
  return cells.map((cell) => cell.trim());
}

interface FactorFacts {
  readonly expected: ExpectedFactor;
  readonly title: string;
  readonly rule: string | undefined;
}

function factorFacts(repo: Repo): Map<string, FactorFacts> {
  const facts = new Map<string, FactorFacts>();
  for (const expected of EXPECTED_FACTORS) facts.set(expected.numeral, { expected, title: expected.title, rule: undefined });
  for (const page of factorPages(repo)) {
    const h1 = page.headings.find((heading) => heading.level === 1);
    const parsed = h1 === undefined ? undefined : parseFactorHeading(h1.text);
    const rule = findRule(page.lines, page.headings);
    facts.set(page.expected.numeral, {
      expected: page.expected,
      title: parsed?.numeral === page.expected.numeral ? parsed.title : page.expected.title,
      rule: rule.found ? rule.rule : undefined,
    });
  }
  return facts;
}

export function checkIndexTable(repo: Repo): Problem[] {
  if (!repo.isFile(INDEX_FILE)) {
    return [problem(1, 'the factor index is missing', 'Create it with a table | Factor | Title | Rule | listing the twelve factors')];
  }
  const lines = splitLines(repo.read(INDEX_FILE));
  const fenced = fencedLines(lines);
  const header = lines.findIndex((line, index) => fenced[index] !== true && line.trim().startsWith('|') && tableCells(line).join('|') === HEADER.join('|'));
  if (header < 0) {
    return [problem(1, 'no index table with the columns | Factor | Title | Rule |', 'Add the table of the twelve factors with exactly these three columns')];
  }
  if (!/^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/.test(lines[header + 1] ?? '')) {
    return [problem(header + 2, 'the index table has no delimiter row under its header', 'Add | --- | --- | --- | under the header')];
  }
  const facts = factorFacts(repo);
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let highest = 0;
  let lastLine = header + 2;
  for (let index = header + 2; index < lines.length && (lines[index] ?? '').trim().startsWith('|'); index += 1) {
    const line = index + 1;
    const row = index - header - 1;
    lastLine = line;
    const cells = tableCells(lines[index] ?? '');
    const numeral = toPlainText(cells[0] ?? '');
    const fact = facts.get(numeral);
    const label = `index row ${String(row)}`;
    if (fact === undefined) {
      problems.push(problem(line, `${label}: '${numeral}' is not a factor numeral I..XII`, 'Write the Roman numeral of the factor in the first column'));
      continue;
    }
    if (cells.length !== HEADER.length) {
      problems.push(problem(line, `${label} (Factor ${numeral}) has ${String(cells.length)} cells, not ${String(HEADER.length)}`, 'Write the row as | numeral | [Title](file.md) | rule |; escape a | inside a cell as \\|'));
      continue;
    }
    if (seen.has(numeral)) {
      problems.push(problem(line, `${label}: Factor ${numeral} is listed twice`, 'Remove the second row'));
      continue;
    }
    seen.add(numeral);
    if (fact.expected.number < highest) {
      problems.push(problem(line, `${label}: Factor ${numeral} comes after Factor ${ROMAN_NUMERALS[highest - 1] ?? ''}`, 'List the twelve factors in order, I to XII'));
    }
    highest = Math.max(highest, fact.expected.number);
    problems.push(...compareRow(line, label, cells, fact));
  }
  for (const expected of EXPECTED_FACTORS) {
    if (seen.has(expected.numeral)) continue;
    const rule = facts.get(expected.numeral)?.rule ?? '<the rule>';
    problems.push(problem(lastLine, `the index table has no row for Factor ${expected.numeral}`, `Add | ${expected.numeral} | [${expected.title}](${expected.file}) | ${rule} | in its place`));
  }
  return problems;
}

function compareRow(line: number, label: string, cells: readonly string[], fact: FactorFacts): Problem[] {
  const problems: Problem[] = [];
  const where = `${label} (Factor ${fact.expected.numeral})`;
  const link = /^\[([^\]]+)\]\(\s*(?:\.\/)?([^)\s]+)\s*\)$/.exec(cells[1] ?? '');
  if (link === null) {
    problems.push(problem(line, `${where}: the title '${cells[1] ?? ''}' is not a link to the factor file`, `Write it as [${fact.title}](${fact.expected.file})`));
  } else {
    const title = toPlainText(link[1] ?? '');
    if (title !== fact.title) {
      problems.push(problem(line, `${where}: the title '${title}' differs from the factor file's '${fact.title}'`, `Write '${fact.title}'`));
    }
    if (link[2] !== fact.expected.file) {
      problems.push(problem(line, `${where}: the link goes to '${link[2] ?? ''}', not '${fact.expected.file}'`, `Link ${fact.expected.file}`));
    }
  }
  const rule = toPlainText(cells[2] ?? '');
  if (fact.rule !== undefined && rule !== fact.rule) {
    problems.push(problem(line, `${where}: the rule differs from ${fact.expected.file}'s; index: "${rule}", factor file: "${fact.rule}"`, "Copy the rule from the factor file's first paragraph under '## The Rule'"));
  }
  return problems;
}
