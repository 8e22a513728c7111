import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.ts';
import { countProseWords } from '../src/words.ts';
import { copyValidRepo, replaceOnce, VALID_REPO } from './helpers.ts';

function run(argv: readonly string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, '/', { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

// A full check imports the fixture's package in a child process, which is slow on a loaded machine.
describe('the command line', { timeout: 120_000 }, () => {
  it('exits 0 with a one-line summary when the docs pass', () => {
    expect(run(['check', '--root', VALID_REPO])).toEqual({
      code: 0,
      out: ['doc-checks: no problems in 12 factor pages, 17 Markdown files, 1 excerpt, 1 generated block, 2 custom resources, 17 glossary terms, 3 package defaults, 1 pattern'],
      err: [],
    });
  });

  it('prints every problem, then the summary, and exits 1', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'docs/factors/05-measure-everything.md', 'An agent did work', 'TBD');
    replaceOnce(root, 'docs/README.md', '(factors/README.md)', '(factors/index.md)');
    const result = run(['check', '--root', root]);
    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      "docs/README.md:3: link 'factors/index.md' points to docs/factors/index.md, which does not exist. Fix the path or create the file.",
      "docs/factors/05-measure-everything.md:9: placeholder 'TBD' in published text. Write the finished text, or remove it.",
      'doc-checks: 2 problems in 2 files (checked 12 factor pages, 17 Markdown files, 1 excerpt, 1 generated block, 2 custom resources, 17 glossary terms, 3 package defaults, 1 pattern)',
    ]);
  });

  it('fix reports what it rewrote, then checks', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'packages/quota-example/src/quota.ts', '<= limit', '< limit');
    expect(run(['fix', '--root', root]).out).toEqual([
      'docs/factors/08-human-validation.md:26: rewrote the excerpt from its region',
      'doc-checks fix: rewrote 1 excerpt and 0 generated blocks',
      'doc-checks: no problems in 12 factor pages, 17 Markdown files, 1 excerpt, 1 generated block, 2 custom resources, 17 glossary terms, 3 package defaults, 1 pattern',
    ]);
  });

  it('prints the prose word count of each factor page outside code and the pattern and profile sections', () => {
    const result = run(['words', '--root', VALID_REPO]);
    expect(result.code).toBe(0);
    expect(result.out[7]).toBe('docs/factors/08-human-validation.md: 85 words');
    expect(result.out[8]).toBe('docs/factors/09-mine-patterns.md: 79 words');
    expect(result.out).toHaveLength(13);
    expect(result.out[12]).toMatch(/^doc-checks words: 12 factor pages, \d+ words of prose, none over the limit of 1200 a page$/);
  });

  it('marks a page over the limit in the word counts and still exits 0: the check is what fails', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'docs/factors/09-mine-patterns.md', 'Turn every finished run into reusable learnings.', `${Array.from({ length: 1200 }, () => 'word').join(' ')}.`);
    const result = run(['words', '--root', root]);
    expect(result.code).toBe(0);
    expect(result.out[8]).toBe('docs/factors/09-mine-patterns.md: 1272 words, over the limit of 1200');
    expect(result.out[12]).toMatch(/^doc-checks words: 12 factor pages, \d+ words of prose, 1 page over the limit of 1200$/);
  });

  it('exits 2 with the usage for an unknown command, a bad option or a root without docs/', () => {
    expect(run(['lint']).code).toBe(2);
    expect(run(['lint']).err[0]).toMatch(/^unknown command 'lint'\nusage: doc-checks <check\|fix\|words>/);
    expect(run(['check', '--fast']).err[0]).toMatch(/^unknown option '--fast'/);
    expect(run(['check', '--root', '/nonexistent-doc-checks-root']).err).toEqual([
      '/nonexistent-doc-checks-root: has no docs/ folder. Pass the repository root with --root <dir>.',
    ]);
    expect(run(['words', '--root', '/nonexistent-doc-checks-root'])).toMatchObject({
      code: 2,
      err: ['/nonexistent-doc-checks-root: has no docs/factors/ folder. Pass the repository root with --root <dir>.'],
    });
  });

  it('runs as a script, as the package scripts call it', () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', cli, 'check', '--root', VALID_REPO], { encoding: 'utf8' });
    expect(result.stdout).toBe('doc-checks: no problems in 12 factor pages, 17 Markdown files, 1 excerpt, 1 generated block, 2 custom resources, 17 glossary terms, 3 package defaults, 1 pattern\n');
    expect(result.status).toBe(0);
  });
});

describe('countProseWords', () => {
  it('counts prose outside Implementation Patterns and Deployment Profiles, leaving out code, Mermaid, comments and markup', () => {
    const page = [
      '# Factor I: One Two',
      '',
      '## The Rule',
      '',
      'Three [four](x.md) **five**.',
      '<!-- six seven -->',
      '```mermaid',
      'flowchart LR; eight --> nine',
      '```',
      '- [ ] ten',
      '| eleven | twelve |',
      '|---|---|',
      '## Implementation Patterns',
      'not counted',
      '### A pattern',
      'not counted',
      '## Anti-Patterns',
      'fourteen fifteen',
      '## Deployment Profiles',
      'not counted',
      '## How to Check',
      'nineteen',
    ].join('\n');
    expect(countProseWords(page)).toBe(19);
  });
});
