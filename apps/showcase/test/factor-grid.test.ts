import { mkdtempSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadContext } from '@docusaurus/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import factorGridPlugin from '../plugins/factor-grid.ts';

function factorFile(numeral: string, title: string, rule: string | undefined): string {
  const ruleSection = rule === undefined ? '' : `## The Rule\n\n${rule}\n\nMore on the rule.\n\n`;
  return `# Factor ${numeral}: ${title}\n\n${ruleSection}## The Problem\n\nText.\n`;
}

let siteDir: string;
let factorsDir: string;

async function loadGrid() {
  const plugin = factorGridPlugin({ siteDir } as LoadContext, { docsDir: '../docs' });
  return plugin.loadContent?.();
}

beforeEach(() => {
  const root = mkdtempSync(path.join(tmpdir(), 'factor-grid-'));
  siteDir = path.join(root, 'site');
  factorsDir = path.join(root, 'docs', 'factors');
  mkdirSync(siteDir);
  mkdirSync(factorsDir, { recursive: true });
  writeFileSync(path.join(factorsDir, 'README.md'), '# The Twelve Factors\n');
  writeFileSync(path.join(factorsDir, '01-automated-tracking.md'), factorFile('I', 'Automated Tracking', 'Record every action.'));
  writeFileSync(path.join(factorsDir, '02-context-loading.md'), factorFile('II', 'Context Loading', 'Load only what the task needs.'));
});

afterEach(() => {
  rmSync(path.dirname(siteDir), { recursive: true, force: true });
});

describe('the landing page factor grid', () => {
  it('is read from the factor files: numeral, title, one-line rule and route', async () => {
    expect(await loadGrid()).toEqual([
      { number: 1, numeral: 'I', title: 'Automated Tracking', rule: 'Record every action.', file: '01-automated-tracking.md', slug: 'automated-tracking' },
      { number: 2, numeral: 'II', title: 'Context Loading', rule: 'Load only what the task needs.', file: '02-context-loading.md', slug: 'context-loading' },
    ]);
  });

  it('shows a factor file added to the docs tree', async () => {
    writeFileSync(path.join(factorsDir, '03-focused-agents.md'), factorFile('III', 'Focused Agents', 'One agent, one job.'));
    const grid = await loadGrid();
    expect(grid?.map((factor) => factor.title)).toEqual(['Automated Tracking', 'Context Loading', 'Focused Agents']);
    expect(grid?.[2]?.rule).toBe('One agent, one job.');
  });

  it('drops a factor file removed from the docs tree', async () => {
    unlinkSync(path.join(factorsDir, '01-automated-tracking.md'));
    expect((await loadGrid())?.map((factor) => factor.numeral)).toEqual(['II']);
  });

  it('fails the build naming a factor file that has no rule', async () => {
    writeFileSync(path.join(factorsDir, '03-focused-agents.md'), factorFile('III', 'Focused Agents', undefined));
    await expect(loadGrid()).rejects.toThrow(/03-focused-agents\.md/);
  });

  it('watches the factor files so an edit in dev mode rebuilds the grid', () => {
    const plugin = factorGridPlugin({ siteDir } as LoadContext, { docsDir: '../docs' });
    expect(plugin.getPathsToWatch?.()).toEqual([path.join(factorsDir, '*.md')]);
  });
});
