import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractRegion } from '../src/regions.ts';
import { fixRepository } from '../src/run.ts';
import { copyValidRepo, edit, replaceOnce, reported } from './helpers.ts';

const VIII = 'docs/factors/08-human-validation.md';
const CODE = 'packages/quota-example/src/quota.ts';
const README = 'packages/quota-example/README.md';
const FIX = 'Run npx -y pnpm@10.34.8 check:fix to rewrite the block from the code.';

describe('excerpts', () => {
  it('reports a block that differs from its region at the first differing line', () => {
    const root = copyValidRepo();
    replaceOnce(root, CODE, 'return used + asked <= limit;', 'return used + asked < limit;');
    expect(reported(root, 'excerpts')).toEqual([
      `docs/factors/08-human-validation.md:28: excerpt differs from packages/quota-example/src/quota.ts#reserve: the doc has "  return used + asked <= limit;" where the code has "  return used + asked < limit;". ${FIX}`,
    ]);
  });

  it('reports a region that grew at the closing fence of the block', () => {
    const root = copyValidRepo();
    replaceOnce(root, CODE, '  return used + asked <= limit;\n}', '  return used + asked <= limit;\n}\nexport const STRICT = true;');
    expect(reported(root, 'excerpts')).toEqual([
      `docs/factors/08-human-validation.md:30: excerpt differs from packages/quota-example/src/quota.ts#reserve: the doc has nothing more where the code has "export const STRICT = true;". ${FIX}`,
    ]);
  });

  it('ignores common indentation and trailing whitespace', () => {
    const root = copyValidRepo();
    edit(root, CODE, (text) => text.replace(/^(export function| {2}return|\})/gm, '    $1'));
    replaceOnce(root, VIII, '  return used + asked <= limit;\n', '  return used + asked <= limit;   \n');
    expect(reported(root, 'excerpts')).toEqual([]);
  });

  it('reports a missing source file, a missing region and a marker without its block', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, 'src/quota.ts#reserve', 'src/quotas.ts#reserve');
    expect(reported(root, 'excerpts')).toEqual([
      'docs/factors/08-human-validation.md:25: excerpt source packages/quota-example/src/quotas.ts does not exist. Fix the path in the marker (relative to the repository root).',
    ]);
    replaceOnce(root, VIII, 'src/quotas.ts#reserve', 'src/quota.ts#reserved');
    expect(reported(root, 'excerpts')).toEqual([
      "docs/factors/08-human-validation.md:25: packages/quota-example/src/quota.ts has no region 'reserved'. Fix the region name in the marker, or wrap the code in '// #region reserved' and '// #endregion reserved' (or '# #region reserved' in YAML and shell).",
    ]);
    replaceOnce(root, VIII, 'src/quota.ts#reserved -->\n', 'src/quota.ts#reserve -->\n\n');
    expect(reported(root, 'excerpts')).toEqual([
      'docs/factors/08-human-validation.md:25: the excerpt marker for packages/quota-example/src/quota.ts#reserve is not directly followed by a fenced code block. Put the ``` fence on the line right after the marker.',
    ]);
  });

  // fix runs every check afterwards, which imports the fixture's package in a child process.
  it('rewrites a stale block from the code, keeping its language, and then passes', { timeout: 120_000 }, () => {
    const root = copyValidRepo();
    replaceOnce(root, CODE, '  return used + asked <= limit;', '  const total = used + asked;\n  return total <= limit;');
    expect(reported(root, 'excerpts')).toHaveLength(1);
    const { rewritten, report } = fixRepository(root);
    expect(rewritten).toEqual([{ file: VIII, line: 26, kind: 'excerpt' }]);
    expect(report.problems).toEqual([]);
    const page = readFileSync(join(root, VIII), 'utf8');
    expect(page).toContain(
      '<!-- excerpt: packages/quota-example/src/quota.ts#reserve -->\n```ts\nexport function reserve(used: number, asked: number, limit: number): boolean {\n  const total = used + asked;\n  return total <= limit;\n}\n```\n\nThe quota as a custom resource:',
    );
  });

  it('holds an excerpt in a package README to its code, and fix rewrites it there too', { timeout: 120_000 }, () => {
    const root = copyValidRepo();
    const block = ['', '<!-- excerpt: packages/quota-example/src/quota.ts#reserve -->', '```ts', 'export function reserve(used: number, asked: number, limit: number): boolean {', '  return used + asked <= limit;', '}', '```', ''].join('\n');
    edit(root, README, (text) => `${text}${block}`);
    expect(reported(root, 'excerpts')).toEqual([]);
    replaceOnce(root, CODE, 'return used + asked <= limit;', 'return used + asked < limit;');
    const differs = (file: string, line: number) =>
      `${file}:${String(line)}: excerpt differs from packages/quota-example/src/quota.ts#reserve: the doc has "  return used + asked <= limit;" where the code has "  return used + asked < limit;". ${FIX}`;
    expect(reported(root, 'excerpts')).toEqual([differs(VIII, 28), differs(README, 8)]);
    const { rewritten, report } = fixRepository(root);
    expect(rewritten).toEqual([
      { file: VIII, line: 26, kind: 'excerpt' },
      { file: README, line: 6, kind: 'excerpt' },
    ]);
    expect(report.problems).toEqual([]);
    expect(readFileSync(join(root, README), 'utf8')).toContain('```ts\nexport function reserve(used: number, asked: number, limit: number): boolean {\n  return used + asked < limit;\n}\n```');
  });

  it('leaves an up-to-date tree untouched when fixing', { timeout: 120_000 }, () => {
    const root = copyValidRepo();
    const before = readFileSync(join(root, VIII), 'utf8');
    expect(fixRepository(root).rewritten).toEqual([]);
    expect(readFileSync(join(root, VIII), 'utf8')).toBe(before);
  });
});

describe('regions', () => {
  it('reads YAML and shell regions marked with # #region, without nested markers', () => {
    const yaml = ['kind: Quota', '# #region spec', 'spec:', '  # #region limits', '  limits: {}', '  # #endregion limits', '# #endregion spec'].join('\n');
    expect(extractRegion(yaml, 'spec', 'quota.yaml')).toEqual({ found: true, lines: ['spec:', '  limits: {}'] });
    expect(extractRegion(yaml, 'limits', 'quota.yaml')).toEqual({ found: true, lines: ['limits: {}'] });
  });

  it('reports a region that is never closed or opened twice', () => {
    expect(extractRegion('// #region a\nconst a = 1;\n', 'a', 'a.ts')).toEqual({
      found: false,
      problem: "a.ts never closes region 'a' opened at line 1",
      fix: "Add '// #endregion a' after the region",
    });
    expect(extractRegion('// #region a\n// #endregion a\n// #region a\n// #endregion a\n', 'a', 'a.ts')).toMatchObject({ found: false, problem: "a.ts opens region 'a' 2 times" });
  });
});
