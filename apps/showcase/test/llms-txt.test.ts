import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadContext } from '@docusaurus/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import llmsTxtPlugin, { absoluteLinks, firstParagraph, llmsFullTxt, llmsTxt, readingOrder, readLlmsPages } from '../plugins/llms-txt.ts';

const numerals = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];
const slugs = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

let root: string;

function write(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'llms-txt-'));
  write('docs/README.md', '# The Framework\n\nTwelve principles, [the factors](factors/README.md) first.\n');
  write('docs/factors/README.md', '# The Twelve Factors\n\nThe index.\n');
  numerals.forEach((numeral, index) => {
    const number = String(index + 1).padStart(2, '0');
    const next = index < 11 ? `See [the next factor](${String(index + 2).padStart(2, '0')}-${slugs[index + 1]}.md#the-rule).` : 'See [the gate](../../packages/gate/README.md).';
    write(`docs/factors/${number}-${slugs[index]}.md`, `# Factor ${numeral}: ${slugs[index]}\n\n## The Rule\n\nRule of ${numeral}.\n\n${next}\n\n\`\`\`md\n[kept](01-alpha.md)\n\`\`\`\n`);
  });
  write('docs/explanation/why.md', '# Why\n\nBecause **it** holds.\n');
  write('docs/CHANGELOG.md', '# @scope/framework\n\n## 1.0.0\n');
  write('packages/gate/package.json', JSON.stringify({ name: '@scope/gate', description: 'Approval gates.', agentops: { factor: 'VIII' } }));
  write('packages/gate/README.md', '# @scope/gate\n\nGates.\n');
  write('packages/store/package.json', JSON.stringify({ name: '@scope/store', description: 'Shared SQL access.', agentops: { buildingBlock: true } }));
  write('packages/store/README.md', '# @scope/store\n\nStores.\n');
  write('packages/tools/package.json', JSON.stringify({ name: '@scope/tools' }));
  write('packages/tools/README.md', '# tools\n');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const siteRoot = 'https://agentops.example.org/framework/';

function site() {
  return { title: 'Example Site', tagline: 'Twelve principles', siteRoot, ...readLlmsPages(root, path.join(root, 'docs'), path.join(root, 'packages')) };
}

describe('llms.txt and llms-full.txt', () => {
  it('orders the pages: introduction, factor index, factors I to XII, then the rest; the changelog is left out', () => {
    expect(readingOrder(['factors/02-b.md', 'explanation/why.md', 'explanation/README.md', 'factors/README.md', 'README.md', 'factors/01-a.md', 'explanation/about.md'])).toEqual([
      'README.md',
      'factors/README.md',
      'factors/01-a.md',
      'factors/02-b.md',
      'explanation/README.md',
      'explanation/about.md',
      'explanation/why.md',
    ]);
    const files = site().docs.map((page) => page.file);
    expect(files.slice(0, 3)).toEqual(['docs/README.md', 'docs/factors/README.md', 'docs/factors/01-alpha.md']);
    expect(files.at(-2)).toBe('docs/factors/12-lima.md');
    expect(files.at(-1)).toBe('docs/explanation/why.md');
    expect(files).not.toContain('docs/CHANGELOG.md');
  });

  it('lists every page once in llms.txt, with its site URL and one line: the rule for a factor', () => {
    const text = llmsTxt(site());
    expect(text.startsWith('# Example Site\n\n> Twelve principles, the factors first.\n')).toBe(true);
    expect(text).toContain(`- [Factor I: alpha](${siteRoot}docs/factors/alpha): Rule of I.`);
    expect(text).toContain(`- [Why](${siteRoot}docs/explanation/why): Because it holds.`);
    expect(text).toContain(`## Examples\n- [@scope/gate](${siteRoot}examples/gate): Approval gates.\n\n## Building blocks\n- [@scope/store](${siteRoot}examples/store): Shared SQL access.`);
    expect(text).not.toContain('tools');
    expect(text.indexOf('Factor I:')).toBeLessThan(text.indexOf('Factor XII:'));
    expect(text).toContain(`[llms-full.txt](${siteRoot}llms-full.txt)`);
  });

  it('gives the full text of every page in reading order, with links between pages made absolute', () => {
    const text = llmsFullTxt(site(), root);
    const order = ['# The Framework', '# The Twelve Factors', '# Factor I: alpha', '# Factor XII: lima', '# Why'].map((heading) => text.indexOf(heading));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain(`See [the next factor](${siteRoot}docs/factors/bravo#the-rule).`);
    expect(text).toContain(`See [the gate](${siteRoot}examples/gate).`);
    expect(text).toContain('[kept](01-alpha.md)');
    expect(text).not.toContain('@scope/framework');
  });

  it('keeps links that are not pages as written', () => {
    const markdown = 'A [schema](../schema/x.json), [a site](https://example.org/a.md) and [a heading](#the-rule).';
    expect(absoluteLinks(markdown, root, 'docs/factors/01-alpha.md', siteRoot)).toBe(markdown);
  });

  it('takes the first paragraph as plain text, skipping headings, lists and tables', () => {
    expect(firstParagraph('# T\n\n## Sub\n\n| a |\n|---|\n\n- item\n\nThe *first* `real` [paragraph](x.md)\nwraps.\n\nSecond.')).toBe('The first real paragraph wraps.');
  });

  it('fails naming a page with no H1 title', () => {
    write('docs/explanation/untitled.md', 'No title here.\n');
    expect(() => site()).toThrow(/explanation\/untitled\.md has no H1 title/);
  });

  it('lists the explanation documents of this repository after the factors, each with its title and first line', () => {
    const docsDir = path.resolve(import.meta.dirname, '../../../docs');
    const pages = readLlmsPages(path.dirname(docsDir), docsDir, path.resolve(docsDir, '../packages')).docs;
    const files = pages.map((page) => page.file);
    const explanation = ['docs/explanation/README.md', 'docs/explanation/from-theory-to-production.md', 'docs/explanation/pattern-heritage.md'];
    const last = files.indexOf('docs/factors/12-package-patterns.md');
    expect(files.slice(last + 1, last + 4)).toEqual(explanation);
    const text = llmsTxt({ title: 'Example Site', tagline: 'Twelve principles', siteRoot, docs: pages, examples: [], buildingBlocks: [] });
    expect(text).toContain(`- [Explanation](${siteRoot}docs/explanation): The factor pages say what to do.`);
    expect(text).toContain(`- [From Theory to Production](${siteRoot}docs/explanation/from-theory-to-production): The twelve factors are short rules.`);
    expect(text).toContain(`- [Pattern Heritage](${siteRoot}docs/explanation/pattern-heritage): The patterns in this framework were not designed on a whiteboard.`);
  });

  it('writes both files into the built site', async () => {
    const siteDir = path.join(root, 'apps', 'site');
    const outDir = path.join(root, 'build');
    mkdirSync(siteDir, { recursive: true });
    mkdirSync(outDir);
    const plugin = llmsTxtPlugin({ siteDir } as LoadContext, { docsDir: '../../docs', packagesDir: '../../packages' });
    type PostBuildProps = Parameters<NonNullable<typeof plugin.postBuild>>[0];
    const siteConfig = { title: 'Example Site', tagline: 'Twelve principles', url: 'https://agentops.example.org', baseUrl: '/framework/' };
    await plugin.postBuild?.({ outDir, siteConfig } as unknown as PostBuildProps);
    expect(readFileSync(path.join(outDir, 'llms.txt'), 'utf8')).toContain(`(${siteRoot}docs/factors/lima)`);
    expect(readFileSync(path.join(outDir, 'llms-full.txt'), 'utf8')).toContain('# Factor XII: lima');
  });
});
