import { describe, expect, it } from 'vitest';
import { checkRepository, summarize } from '../src/run.ts';
import { VALID_REPO } from './helpers.ts';

// A full check imports the fixture's package in a child process, which is slow on a loaded machine.
describe('the valid fixture repository', { timeout: 120_000 }, () => {
  it('passes every check', () => {
    expect(checkRepository(VALID_REPO).problems.map((problem) => `${problem.file}:${String(problem.line)} ${problem.message}`)).toEqual([]);
  });

  it('is checked in full: twelve pages, every Markdown file, its excerpt, its generated block, both custom resources, the glossary, the package defaults and the declared pattern', () => {
    const report = checkRepository(VALID_REPO);
    expect(report.checked).toEqual({ factorPages: 12, markdownFiles: 17, excerpts: 1, generatedBlocks: 1, customResources: 2, glossaryTerms: 17, packageDefaults: 3, patterns: 1 });
    expect(summarize(report)).toBe('doc-checks: no problems in 12 factor pages, 17 Markdown files, 1 excerpt, 1 generated block, 2 custom resources, 17 glossary terms, 3 package defaults, 1 pattern');
  });
});
