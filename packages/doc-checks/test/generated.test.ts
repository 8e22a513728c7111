import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixRepository } from '../src/run.ts';
import { copyValidRepo, edit, replaceOnce, reported } from './helpers.ts';

const VIII = 'docs/factors/08-human-validation.md';
const STATES = 'packages/quota-example/src/states.ts';
const INDEX = 'packages/quota-example/src/index.ts';
const MARKER = '<!-- generated: quota-example#reservationMermaid -->';
const FIX = 'Run npx -y pnpm@10.34.8 check:fix to rewrite the block from the package.';

// Each test imports the fixture package in a child process (cached by the content of its src/).
describe('generated blocks', { timeout: 60_000 }, () => {
  it('reports a block that differs from what its export renders, naming the page and the line', () => {
    const root = copyValidRepo();
    replaceOnce(root, STATES, "held: ['committed', 'released']", "held: ['committed', 'expired']");
    expect(reported(root, 'generated')).toEqual([
      `${VIII}:62: generated block differs from what quota-example#reservationMermaid renders: the doc has "  held --> released" where quota-example#reservationMermaid has "  held --> expired". ${FIX}`,
    ]);
  });

  it('reports a block edited by hand, and one the rendering outgrew, at the closing fence', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, '  held --> released\n```', '```');
    expect(reported(root, 'generated')).toEqual([
      `${VIII}:62: generated block differs from what quota-example#reservationMermaid renders: the doc has nothing more where quota-example#reservationMermaid has "  held --> released". ${FIX}`,
    ]);
  });

  it('rewrites a stale block from the package, keeping the fence and its language, and then passes', { timeout: 120_000 }, () => {
    const root = copyValidRepo();
    replaceOnce(root, STATES, "held: ['committed', 'released']", "held: ['committed', 'released', 'expired']");
    replaceOnce(root, VIII, '  [*] --> held\n', '  [*] --> waiting\n');
    expect(reported(root, 'generated')).toHaveLength(1);
    const { rewritten, report } = fixRepository(root);
    expect(rewritten).toEqual([{ file: VIII, line: 58, kind: 'generated' }]);
    expect(report.problems).toEqual([]);
    expect(readFileSync(join(root, VIII), 'utf8')).toContain(
      `${MARKER}\n\`\`\`mermaid\nstateDiagram-v2\n  [*] --> held\n  held --> committed\n  held --> released\n  held --> expired\n\`\`\`\n\n## Anti-Patterns`,
    );
  });

  it('keeps a string export as it is', () => {
    const root = copyValidRepo();
    edit(root, INDEX, (text) => `${text}export const LEGEND = 'held: reserved\\ncommitted: spent\\n';\n`);
    replaceOnce(root, VIII, MARKER, '<!-- generated: quota-example#LEGEND -->\n```text\nheld: reserved\ncommitted: spent\n```\n\nAnd:\n\n' + MARKER);
    expect(reported(root, 'generated')).toEqual([]);
    replaceOnce(root, VIII, 'committed: spent\n', 'committed: used\n');
    expect(reported(root, 'generated')).toEqual([
      `${VIII}:60: generated block differs from what quota-example#LEGEND renders: the doc has "committed: used" where quota-example#LEGEND has "committed: spent". ${FIX}`,
    ]);
  });

  it('fails clearly when the marker names an export the package does not have', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, MARKER, '<!-- generated: quota-example#reservationMermiad -->');
    expect(reported(root, 'generated')).toEqual([
      `${VIII}:57: packages/quota-example/src/index.ts exports no reservationMermiad. Name a string, or a function returning one, that the package exports (did you mean reservationMermaid?).`,
    ]);
  });

  it('fails when the export is neither a string nor a function that returns one', () => {
    const root = copyValidRepo();
    edit(root, INDEX, (text) => `${text}export const brokenDiagram = () => 42;\n`);
    replaceOnce(root, VIII, MARKER, '<!-- generated: quota-example#DEFAULT_LIMIT -->');
    expect(reported(root, 'generated')).toEqual([
      `${VIII}:57: packages/quota-example/src/index.ts exports DEFAULT_LIMIT as a number, not a string or a function that returns one. Fix the package so that the export renders.`,
    ]);
    replaceOnce(root, VIII, 'quota-example#DEFAULT_LIMIT', 'quota-example#brokenDiagram');
    expect(reported(root, 'generated')).toEqual([
      `${VIII}:57: packages/quota-example/src/index.ts exports brokenDiagram(), which returned a number, not a string. Fix the package so that the export renders.`,
    ]);
  });

  it('reports a package that does not import, with the import error', () => {
    const root = copyValidRepo();
    edit(root, INDEX, (text) => `${text}throw new Error('the example refuses to load');\n`);
    expect(reported(root, 'generated')).toEqual([`${VIII}:57: packages/quota-example/src/index.ts could not be imported (the example refuses to load). Fix the package so that the export renders.`]);
  });

  it('reports a malformed marker, an unknown package and a marker without its block, importing nothing', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, MARKER, '<!-- generated: packages/quota-example/src/index.ts#reservationMermaid -->');
    expect(reported(root, 'generated')).toEqual([
      `${VIII}:57: malformed generated marker 'packages/quota-example/src/index.ts#reservationMermaid'. Write <!-- generated: <package folder>#<export of its src/index.ts> -->.`,
    ]);
    replaceOnce(root, VIII, 'packages/quota-example/src/index.ts#reservationMermaid', 'quota-examples#reservationMermaid');
    expect(reported(root, 'generated')).toEqual([
      `${VIII}:57: packages/quota-examples has no src/index.ts to render reservationMermaid from. Name a package folder in packages/ (did you mean 'quota-example'?).`,
    ]);
    replaceOnce(root, VIII, 'quota-examples#reservationMermaid -->\n', 'quota-example#reservationMermaid -->\n\n');
    expect(reported(root, 'generated')).toEqual([
      `${VIII}:57: the generated marker for quota-example#reservationMermaid is not directly followed by a fenced code block. Put the \`\`\` fence on the line right after the marker.`,
    ]);
  });
});
