// doc-checks check|fix|words [--root <dir>]: exit 0 when the docs pass, 1 when they do not,
// 2 when the command itself is wrong.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatProblem } from './problems.ts';
import { RepoRootError } from './repo.ts';
import type { CheckReport } from './run.ts';
import { checkRepository, fixRepository, plural, summarize } from './run.ts';
import type { PageWords } from './words.ts';
import { countFactorWords, PROSE_WORD_LIMIT } from './words.ts';

const USAGE = `usage: doc-checks <check|fix|words> [--root <repository root>]
  check   run every content check; exit 1 when any problem is found
  fix     rewrite stale code excerpts from their regions and generated blocks from
          their packages, then check
  words   print each factor page's prose word count (code, Implementation Patterns and
          Deployment Profiles not counted) against the limit the check enforces`;

/** The command line was not understood. */
export class UsageError extends Error {
  constructor(problem: string) {
    super(`${problem}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

interface Arguments {
  readonly command: 'check' | 'fix' | 'words';
  readonly root: string;
}

export function parseArguments(argv: readonly string[], cwd: string): Arguments {
  const [command, ...rest] = argv;
  if (command !== 'check' && command !== 'fix' && command !== 'words') {
    throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
  }
  let root = cwd;
  for (let index = 0; index < rest.length; index += 1) {
    const flag = rest[index];
    const value = rest[index + 1];
    if (flag !== '--root') throw new UsageError(`unknown option '${flag ?? ''}'`);
    if (value === undefined) throw new UsageError('--root needs a directory');
    root = resolve(cwd, value);
    index += 1;
  }
  return { command, root };
}

function printReport(report: CheckReport, io: CliIo): number {
  for (const problem of report.problems) io.out(formatProblem(problem));
  io.out(summarize(report));
  return report.problems.length === 0 ? 0 : 1;
}

// Informational, so it exits 0 even when a page is over the limit: the check is what fails.
function printWords(pages: readonly PageWords[], io: CliIo): number {
  const limit = String(PROSE_WORD_LIMIT);
  const isOver = (page: PageWords) => page.words > PROSE_WORD_LIMIT;
  for (const page of pages) io.out(`${page.file}: ${String(page.words)} words${isOver(page) ? `, over the limit of ${limit}` : ''}`);
  const over = pages.filter(isOver);
  const total = pages.reduce((sum, page) => sum + page.words, 0);
  const verdict =
    over.length === 0
      ? `none over the limit of ${limit} a page`
      : `${String(over.length)} page${over.length === 1 ? '' : 's'} over the limit of ${limit}`;
  io.out(`doc-checks words: ${String(pages.length)} factor pages, ${String(total)} words of prose, ${verdict}`);
  return 0;
}

/** Runs the CLI and returns its exit code. */
export function runCli(argv: readonly string[], cwd: string, io: CliIo): number {
  try {
    const args = parseArguments(argv, cwd);
    if (args.command === 'check') return printReport(checkRepository(args.root), io);
    if (args.command === 'fix') {
      const { rewritten, report } = fixRepository(args.root);
      for (const block of rewritten) io.out(`${block.file}:${String(block.line)}: ${block.kind === 'excerpt' ? 'rewrote the excerpt from its region' : 'rewrote the generated block from its package'}`);
      const excerpts = rewritten.filter((block) => block.kind === 'excerpt').length;
      const generated = rewritten.length - excerpts;
      io.out(`doc-checks fix: rewrote ${plural(excerpts, 'excerpt')} and ${plural(generated, 'generated block')}`);
      return printReport(report, io);
    }
    return printWords(countFactorWords(args.root), io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RepoRootError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = runCli(process.argv.slice(2), process.cwd(), { out: (line) => console.log(line), err: (line) => console.error(line) });
}
