import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyValidRepo, replaceOnce, reported } from './helpers.ts';

const factors = (root: string, name: string) => join(root, 'docs/factors', name);

describe('factor files', () => {
  it('reports a missing factor file by its expected name and H1', () => {
    const root = copyValidRepo();
    rmSync(factors(root, '05-measure-everything.md'));
    expect(reported(root, 'factor-files')).toEqual([
      "docs/factors/05-measure-everything.md:1: factor file is missing. Create it with the H1 '# Factor V: Measure Everything' and the spine of FRAMEWORK.md.",
    ]);
  });

  it('suggests the closest expected name for a misnamed file, and does not also call it missing', () => {
    const root = copyValidRepo();
    renameSync(factors(root, '03-focused-agents.md'), factors(root, '03-focused-agent.md'));
    renameSync(factors(root, '11-fail-safe-checks.md'), factors(root, 'fail-safe-checks.md'));
    expect(reported(root, 'factor-files')).toEqual([
      "docs/factors/03-focused-agent.md:1: '03-focused-agent.md' is not one of the twelve factor file names of FRAMEWORK.md. Rename it to '03-focused-agents.md'.",
      "docs/factors/fail-safe-checks.md:1: 'fail-safe-checks.md' is not one of the twelve factor file names of FRAMEWORK.md. Rename it to '11-fail-safe-checks.md'.",
    ]);
  });

  it('reports an extra numbered file', () => {
    const root = copyValidRepo();
    writeFileSync(factors(root, '13-observability.md'), '# Factor XIII: Observability\n');
    expect(reported(root, 'factor-files')).toEqual([
      "docs/factors/13-observability.md:1: '13-observability.md' is not one of the twelve factor files of FRAMEWORK.md. Remove it, or move a page that is not a factor out of docs/factors.",
    ]);
  });

  it('reports an H1 whose numeral or title does not match the file', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'docs/factors/08-human-validation.md', '# Factor VIII: Human Validation', '# Factor 8: Human Validation');
    replaceOnce(root, 'docs/factors/02-context-loading.md', '# Factor II: Context Loading', '# Factor II: Context Window');
    expect(reported(root, 'factor-files')).toEqual([
      "docs/factors/02-context-loading.md:1: the H1 is '# Factor II: Context Window' but this file is Factor II. Write it as '# Factor II: Context Loading'.",
      "docs/factors/08-human-validation.md:1: the H1 is '# Factor 8: Human Validation' but this file is Factor VIII. Write it as '# Factor VIII: Human Validation'.",
    ]);
  });

  it('reports a page without an H1, and a second H1', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'docs/factors/04-continuous-validation.md', '# Factor IV: Continuous Validation\n', 'Continuous Validation\n');
    replaceOnce(root, 'docs/factors/06-resume-work.md', '## The Problem', '# The Problem');
    expect(reported(root, 'factor-files')).toEqual([
      "docs/factors/04-continuous-validation.md:1: the factor page has no H1. Start the file with '# Factor IV: Continuous Validation'.",
      "docs/factors/06-resume-work.md:7: a second H1 '# The Problem'. Keep one H1 per page; make this an H2 of the spine or an H3 under one.",
    ]);
  });
});
