// Runs every check over a repository and reports what it looked at, so a clean run says how
// much was checked rather than only that nothing was found.
import { checkCustomResources } from './checks/custom-resources.ts';
import { checkDefaults } from './checks/defaults.ts';
import { checkExcerpts, fixExcerpts } from './checks/excerpts.ts';
import type { RewrittenExcerpt } from './checks/excerpts.ts';
import { checkGenerated, fixGenerated } from './checks/generated.ts';
import { checkFactorFiles } from './checks/factor-files.ts';
import { checkGlossary } from './checks/glossary.ts';
import { checkIndexTable } from './checks/index-table.ts';
import { checkLinks } from './checks/links.ts';
import { checkPatterns } from './checks/patterns.ts';
import { checkPlaceholders } from './checks/placeholders.ts';
import { checkRules } from './checks/rule.ts';
import { checkSpine } from './checks/spine.ts';
import { checkWords } from './checks/words.ts';
import { factorPages } from './factor-pages.ts';
import type { CheckName, Problem } from './problems.ts';
import { sortProblems } from './problems.ts';
import { openRepo } from './repo.ts';

export interface CheckReport {
  /** Sorted by file, then line. */
  readonly problems: readonly Problem[];
  readonly checked: {
    readonly factorPages: number;
    readonly markdownFiles: number;
    readonly excerpts: number;
    readonly generatedBlocks: number;
    readonly customResources: number;
    readonly glossaryTerms: number;
    readonly packageDefaults: number;
    readonly patterns: number;
  };
}

/** Which checks to run; all of them unless `only` names one. */
export interface CheckOptions {
  readonly only?: CheckName;
}

interface Scan {
  readonly problems: readonly Problem[];
  readonly count: number;
}

const SKIPPED: Scan = { problems: [], count: 0 };

/**
 * Runs all thirteen checks on the repository at `root` (or the one `options.only` names, whose
 * problems are the same either way); throws RepoRootError when it has no docs/.
 */
export function checkRepository(root: string, options: CheckOptions = {}): CheckReport {
  const repo = openRepo(root);
  const run = (name: CheckName, check: () => readonly Problem[]): readonly Problem[] => (options.only === undefined || options.only === name ? check() : []);
  const scan = (name: CheckName, check: () => Scan): Scan => (options.only === undefined || options.only === name ? check() : SKIPPED);
  const excerpts = scan('excerpts', () => checkExcerpts(repo));
  // Imports each package a generated block names, in one child process.
  const generated = scan('generated', () => checkGenerated(repo));
  const resources = scan('custom-resources', () => checkCustomResources(repo));
  const glossary = scan('glossary', () => checkGlossary(repo));
  // The defaults check imports every package that the table names: skip it when not asked for.
  const defaults = scan('defaults', () => checkDefaults(repo));
  const patterns = scan('patterns', () => checkPatterns(repo));
  const problems = [
    ...run('factor-files', () => checkFactorFiles(repo)),
    ...run('spine', () => checkSpine(repo)),
    ...run('rule', () => checkRules(repo)),
    ...run('index', () => checkIndexTable(repo)),
    ...run('links', () => checkLinks(repo)),
    ...run('placeholders', () => checkPlaceholders(repo)),
    ...run('words', () => checkWords(repo)),
    ...excerpts.problems,
    ...generated.problems,
    ...resources.problems,
    ...glossary.problems,
    ...defaults.problems,
    ...patterns.problems,
  ];
  return {
    problems: sortProblems(problems),
    checked: {
      factorPages: factorPages(repo).length,
      markdownFiles: repo.docFiles.length + repo.packageReadmes.length,
      excerpts: excerpts.count,
      generatedBlocks: generated.count,
      customResources: resources.count,
      glossaryTerms: glossary.count,
      packageDefaults: defaults.count,
      patterns: patterns.count,
    },
  };
}

/** Rewrites stale excerpts (in <root>/docs and the package READMEs) and generated blocks (in <root>/docs) from the packages, then runs every check. */
export function fixRepository(root: string): { readonly rewritten: readonly RewrittenExcerpt[]; readonly report: CheckReport } {
  const repo = openRepo(root);
  const excerpts = fixExcerpts(repo).map((block): RewrittenExcerpt => ({ ...block, kind: 'excerpt' }));
  const generated = fixGenerated(repo).map((block): RewrittenExcerpt => ({ ...block, kind: 'generated' }));
  const rewritten = [...excerpts, ...generated].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return { rewritten, report: checkRepository(root) };
}

export function plural(count: number, noun: string): string {
  return `${String(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** The one-line summary the CLI prints after the problems. */
export function summarize(report: CheckReport): string {
  const { checked } = report;
  const scope = [
    plural(checked.factorPages, 'factor page'),
    plural(checked.markdownFiles, 'Markdown file'),
    plural(checked.excerpts, 'excerpt'),
    plural(checked.generatedBlocks, 'generated block'),
    plural(checked.customResources, 'custom resource'),
    plural(checked.glossaryTerms, 'glossary term'),
    plural(checked.packageDefaults, 'package default'),
    plural(checked.patterns, 'pattern'),
  ].join(', ');
  if (report.problems.length === 0) return `doc-checks: no problems in ${scope}`;
  const files = new Set(report.problems.map((problem) => problem.file)).size;
  return `doc-checks: ${plural(report.problems.length, 'problem')} in ${plural(files, 'file')} (checked ${scope})`;
}
