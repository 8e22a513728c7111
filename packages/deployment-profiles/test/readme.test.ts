import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deploymentRuleTable, fitTable, profileTable, renderMarkdownTable, routerRuleTable } from '../src/index.ts';
import type { TextTable } from '../src/index.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it.each([
    ['profile-table', profileTable()],
    ['fit-table', fitTable()],
    ['rule-table', deploymentRuleTable()],
    ['router-table', routerRuleTable()],
  ] as [string, TextTable][])('shows the %s exactly as the data generates it', (marker, table) => {
    expect(README).toContain(`<!-- ${marker} -->\n\n${renderMarkdownTable(table)}\n`);
  });
});
