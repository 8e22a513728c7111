/** The checks, by the name the CLI and the README use. */
export type CheckName =
  | 'factor-files'
  | 'spine'
  | 'rule'
  | 'index'
  | 'links'
  | 'placeholders'
  | 'excerpts'
  | 'generated'
  | 'custom-resources'
  | 'glossary'
  | 'defaults'
  | 'patterns'
  | 'words';

/** One thing wrong in the repository; `file` is relative to the repository root, `line` 1-based. */
export interface Problem {
  readonly check: CheckName;
  readonly file: string;
  readonly line: number;
  /** What is wrong, without a final full stop. */
  readonly message: string;
  /** How to fix it, as a sentence. */
  readonly fix: string;
}

/** `<file>:<line>: <what is wrong>. <how to fix>` */
export function formatProblem(problem: Problem): string {
  const fix = /[.!?]$/.test(problem.fix) ? problem.fix : `${problem.fix}.`;
  return `${problem.file}:${String(problem.line)}: ${problem.message}. ${fix}`;
}

// Code-point order, not the locale's: the report must read the same on every machine.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => compareText(a.file, b.file) || a.line - b.line || compareText(a.message, b.message));
}
