// Check 13: the pattern map in docs/explanation/pattern-heritage.md says exactly what the
// pattern packages declare. Each package names its patterns in package.json; the map lists
// every one with its origin, factor, package and proving test, gives each an H3, and the
// factor page of each pattern links back to that H3.
import { factorPages } from '../factor-pages.ts';
import { HERITAGE_FILE, IMPLEMENTATION_PATTERNS, PATTERN_COLUMNS, PATTERN_FACTORS, PATTERN_ORIGINS } from '../framework.ts';
import { resolveLink } from '../link-paths.ts';
import { createSlugger, fencedLines, findHeadings, findLinkTargets, splitLines, toPlainText } from '../markdown.ts';
import type { Problem } from '../problems.ts';
import type { PackageInfo, Repo } from '../repo.ts';
import { closest } from '../similarity.ts';
import { tableCells } from './index-table.ts';

function problem(file: string, line: number, message: string, fix: string): Problem {
  return { check: 'patterns', file, line, message, fix };
}

/** One pattern as a package declares it under `agentops.patterns`. */
export interface DeclaredPattern {
  readonly name: string;
  readonly factor: string;
  readonly origin: string;
  /** Relative to the package folder, e.g. 'test/lifecycle.test.ts'. */
  readonly test: string;
  readonly pkg: PackageInfo;
  /** The line of the pattern's `"name"` in package.json. */
  readonly line: number;
}

const SHAPE = '"patterns": [{ "name": "…", "factor": "VI", "origin": "Houston", "test": "test/….test.ts" }]';

/** Reads and validates the `agentops.patterns` of every package that declares a factor. */
function declaredPatterns(repo: Repo, problems: Problem[]): DeclaredPattern[] {
  const declared: DeclaredPattern[] = [];
  for (const pkg of repo.packages) {
    if (pkg.factor === undefined || pkg.problem !== undefined) continue;
    const file = `${pkg.dir}/package.json`;
    const text = repo.read(file);
    const lines = splitLines(text);
    const agentops = (JSON.parse(text) as { agentops?: { patterns?: unknown } }).agentops;
    const patterns = agentops?.patterns;
    if (!Array.isArray(patterns) || patterns.length === 0) {
      problems.push(problem(file, pkg.factorLine, `the package declares Factor ${pkg.factor} but no patterns`, `Declare them next to the factor: ${SHAPE}`));
      continue;
    }
    const patternsLine = lines.findIndex((line) => /"patterns"\s*:/.test(line)) + 1 || pkg.factorLine;
    const seen = new Set<string>();
    patterns.forEach((entry: unknown, index) => {
      const where = `agentops.patterns[${String(index)}]`;
      const fields = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
      const nameValue = fields?.['name'];
      const line = typeof nameValue === 'string' ? lines.findIndex((text) => text.includes(`"name"`) && text.includes(JSON.stringify(nameValue))) + 1 || patternsLine : patternsLine;
      if (fields === undefined) {
        problems.push(problem(file, patternsLine, `${where} is not an object`, `Write it as ${SHAPE}`));
        return;
      }
      const wrong: string[] = [];
      const name = typeof nameValue === 'string' ? nameValue.trim() : '';
      if (name === '' || name !== nameValue) wrong.push('"name" must be a non-empty string without surrounding spaces');
      const factor = fields['factor'];
      if (typeof factor !== 'string' || !PATTERN_FACTORS.includes(factor)) wrong.push(`"factor" must be one of ${PATTERN_FACTORS.join(', ')}, not ${JSON.stringify(factor) ?? 'undefined'}`);
      const origin = fields['origin'];
      if (typeof origin !== 'string' || !PATTERN_ORIGINS.includes(origin)) wrong.push(`"origin" must be one of ${PATTERN_ORIGINS.map((value) => `"${value}"`).join(', ')}, not ${JSON.stringify(origin) ?? 'undefined'}`);
      const test = fields['test'];
      if (typeof test !== 'string' || !/^test\/[\w./-]+\.test\.ts$/.test(test) || test.includes('..')) {
        wrong.push(`"test" must be a path like "test/….test.ts" inside the package, not ${JSON.stringify(test) ?? 'undefined'}`);
      } else if (!repo.isFile(`${pkg.dir}/${test}`)) {
        wrong.push(`"test" names ${pkg.dir}/${test}, which does not exist`);
      }
      for (const key of Object.keys(fields)) if (!['name', 'factor', 'origin', 'test'].includes(key)) wrong.push(`unknown key "${key}"`);
      if (wrong.length > 0) {
        problems.push(problem(file, line, `${where}${name === '' ? '' : ` ('${name}')`}: ${wrong.join('; ')}`, `Write it as ${SHAPE}`));
        return;
      }
      if (seen.has(name)) {
        problems.push(problem(file, line, `the pattern '${name}' is declared twice`, 'Declare each pattern once'));
        return;
      }
      seen.add(name);
      declared.push({ name, factor: factor as string, origin: origin as string, test: test as string, pkg, line });
    });
  }
  const byName = new Map<string, DeclaredPattern>();
  for (const pattern of declared) {
    const first = byName.get(pattern.name);
    if (first !== undefined && first.pkg !== pattern.pkg) {
      problems.push(problem(`${pattern.pkg.dir}/package.json`, pattern.line, `the pattern '${pattern.name}' is also declared by ${first.pkg.dir}`, 'Give each pattern one package: the one whose test proves it'));
    } else byName.set(pattern.name, pattern);
  }
  return [...byName.values()];
}

interface MapRow {
  readonly line: number;
  readonly pattern: string;
  readonly origin: string;
  readonly factor: string;
  readonly pkg: string;
  readonly test: string;
  /** The repository path the test cell links, when it links one. */
  readonly testLink: string | undefined;
}

function readMap(lines: readonly string[], problems: Problem[]): MapRow[] | undefined {
  const fenced = fencedLines(lines);
  const header = lines.findIndex((line, index) => fenced[index] !== true && line.trim().startsWith('|') && tableCells(line).join('|') === PATTERN_COLUMNS.join('|'));
  if (header < 0) {
    problems.push(problem(HERITAGE_FILE, 1, `no pattern map: a table with the columns | ${PATTERN_COLUMNS.join(' | ')} |`, 'Add the table, one row per pattern a package declares'));
    return undefined;
  }
  const rows: MapRow[] = [];
  for (let index = header + 2; index < lines.length && (lines[index] ?? '').trim().startsWith('|'); index += 1) {
    const raw = tableCells(lines[index] ?? '');
    const line = index + 1;
    if (raw.length !== PATTERN_COLUMNS.length) {
      problems.push(problem(HERITAGE_FILE, line, `the row has ${String(raw.length)} cells, not ${String(PATTERN_COLUMNS.length)}`, `Give it the cells | ${PATTERN_COLUMNS.join(' | ')} |`));
      continue;
    }
    const [pattern, origin, factor, pkg, test] = raw.map(toPlainText) as [string, string, string, string, string];
    const link = findLinkTargets(raw[4] ?? '')[0];
    const resolved = link === undefined ? undefined : resolveLink(HERITAGE_FILE, link.target);
    rows.push({ line, pattern, origin, factor, pkg, test, testLink: resolved?.kind === 'local' ? resolved.path : undefined });
  }
  return rows;
}

export function checkPatterns(repo: Repo): { readonly problems: Problem[]; readonly count: number } {
  const problems: Problem[] = [];
  const declared = declaredPatterns(repo, problems);
  if (declared.length === 0 && !repo.isFile(HERITAGE_FILE)) return { problems, count: 0 };
  if (!repo.isFile(HERITAGE_FILE)) {
    const first = declared[0];
    problems.push(problem(first === undefined ? HERITAGE_FILE : `${first.pkg.dir}/package.json`, first?.line ?? 1, `${HERITAGE_FILE} is missing, so no pattern map lists the declared patterns`, 'Create it with the pattern map and one H3 per pattern'));
    return { problems, count: declared.length };
  }
  const lines = splitLines(repo.read(HERITAGE_FILE));
  const slug = createSlugger();
  const headings = findHeadings(lines).map((heading) => ({ ...heading, slug: slug(heading.text) }));
  const h3s = headings.filter((heading) => heading.level === 3);
  const rows = readMap(lines, problems);
  const packageNames = repo.packages.map((pkg) => pkg.name);
  const declaredNames = declared.map((pattern) => pattern.name);

  if (rows !== undefined) {
    const listed = new Set<string>();
    for (const row of rows) {
      const pkg = repo.packages.find((info) => info.name === row.pkg);
      if (pkg === undefined) {
        const near = closest(row.pkg, packageNames);
        problems.push(problem(HERITAGE_FILE, row.line, `the row names the package '${row.pkg}', which is not a folder in packages/`, near === undefined ? 'Name a package folder' : `Did you mean '${near}'?`));
        continue;
      }
      const testPath = `${pkg.dir}/${row.test}`;
      if (!repo.isFile(testPath)) {
        problems.push(problem(HERITAGE_FILE, row.line, `the row names the test ${testPath}, which does not exist`, 'Name a test file of the package, as "test/….test.ts"'));
        continue;
      }
      if (row.testLink !== undefined && row.testLink !== testPath) {
        problems.push(problem(HERITAGE_FILE, row.line, `the test cell reads ${row.test} but links ${row.testLink}`, `Link ../../${testPath}`));
      }
      const pattern = declared.find((candidate) => candidate.name === row.pattern);
      if (pattern === undefined) {
        const near = closest(row.pattern, declaredNames);
        problems.push(problem(HERITAGE_FILE, row.line, `the row names the pattern '${row.pattern}', which no package declares`, near === undefined ? 'Declare it in the package.json of the package whose test proves it, or remove the row' : `Did you mean '${near}'?`));
        continue;
      }
      if (listed.has(pattern.name)) {
        problems.push(problem(HERITAGE_FILE, row.line, `the pattern '${pattern.name}' has a second row`, 'Keep one row per pattern'));
        continue;
      }
      listed.add(pattern.name);
      const differences: string[] = [];
      if (row.pkg !== pattern.pkg.name) differences.push(`package '${row.pkg}' where ${pattern.pkg.dir}/package.json declares it`);
      if (row.origin !== pattern.origin) differences.push(`origin '${row.origin}' where the package says '${pattern.origin}'`);
      if (row.factor !== pattern.factor) differences.push(`factor '${row.factor}' where the package says '${pattern.factor}'`);
      if (row.test !== pattern.test) differences.push(`test '${row.test}' where the package says '${pattern.test}'`);
      if (differences.length > 0) {
        problems.push(problem(HERITAGE_FILE, row.line, `the row of '${pattern.name}' has ${differences.join(', ')}`, 'Make the row say what the package declares'));
      }
    }
    for (const pattern of declared) {
      if (!listed.has(pattern.name)) {
        problems.push(problem(`${pattern.pkg.dir}/package.json`, pattern.line, `the pattern '${pattern.name}' is not in the pattern map of ${HERITAGE_FILE}`, `Add the row | ${pattern.name} | ${pattern.origin} | ${pattern.factor} | ${pattern.pkg.name} | ${pattern.test} |`));
      }
    }
  }

  for (const pattern of declared) {
    if (!h3s.some((heading) => heading.text === pattern.name)) {
      problems.push(problem(`${pattern.pkg.dir}/package.json`, pattern.line, `the pattern '${pattern.name}' has no H3 in ${HERITAGE_FILE}`, `Add '### ${pattern.name}' below the pattern map`));
    }
  }

  // Each factor page's Implementation Patterns section links the heading of each of its patterns.
  for (const page of factorPages(repo)) {
    const mine = declared.filter((pattern) => pattern.factor === page.expected.numeral);
    if (mine.length === 0) continue;
    const start = page.headings.find((heading) => heading.level === 2 && heading.text === IMPLEMENTATION_PATTERNS);
    if (start === undefined) continue; // The spine check reports the missing section.
    const next = page.headings.find((heading) => heading.level <= 2 && heading.line > start.line);
    const end = next === undefined ? page.lines.length : next.line - 1;
    const text = page.lines.slice(start.line, end).join('\n');
    const fragments = new Set(
      findLinkTargets(text).flatMap((link) => {
        const resolved = resolveLink(page.path, link.target);
        return resolved.kind === 'local' && resolved.path === HERITAGE_FILE && resolved.fragment !== undefined ? [resolved.fragment] : [];
      }),
    );
    const target = (name: string) => headings.find((heading) => heading.level === 3 && heading.text === name)?.slug ?? createSlugger()(name);
    for (const pattern of mine) {
      const anchor = target(pattern.name);
      if (!fragments.has(anchor)) {
        problems.push(problem(page.path, start.line, `'## ${IMPLEMENTATION_PATTERNS}' does not link the heritage of '${pattern.name}' (declared by ${pattern.pkg.dir})`, `Link it as ../explanation/pattern-heritage.md#${anchor}, e.g. in a "Heritage:" line`));
      }
    }
  }
  return { problems, count: declared.length };
}
