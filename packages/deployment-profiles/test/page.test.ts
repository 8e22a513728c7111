// The Factor XII page shows this package's data; the data is the one source. Its tables are
// held equal to what the data generates, and every AgentDeployment it shows passes its profile.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelRouter, fitTable, loadAgent, profileTable, renderMarkdownTable, transposeTable, validateAgentDeployment } from '../src/index.ts';
import type { RouteDecision, TextTable } from '../src/index.ts';

const PAGE_URL = new URL('../../../docs/factors/12-package-patterns.md', import.meta.url);
const PAGE = readFileSync(PAGE_URL, 'utf8');
const router = new ModelRouter(JSON.parse(readFileSync(new URL('../examples/endpoint-catalogue.json', import.meta.url), 'utf8')));
const agent = loadAgent(readFileSync(new URL('../examples/agent.yaml', import.meta.url), 'utf8'), 'examples/agent.yaml');

function section(heading: string): string {
  const start = PAGE.indexOf(`\n## ${heading}\n`);
  expect(start, `the page has '## ${heading}'`).toBeGreaterThan(0);
  const end = PAGE.indexOf('\n## ', start + 1);
  return PAGE.slice(start, end < 0 ? undefined : end);
}

// The YAML blocks the page marks as AgentDeployment resources, with the line each starts on.
function deploymentBlocks(): { line: number; yaml: string }[] {
  const marker = '<!-- schema: packages/deployment-profiles/schema/agentdeployment.crd.yaml -->\n```yaml\n';
  const blocks: { line: number; yaml: string }[] = [];
  for (let at = PAGE.indexOf(marker); at >= 0; at = PAGE.indexOf(marker, at + 1)) {
    const start = at + marker.length;
    blocks.push({ line: PAGE.slice(0, start).split('\n').length, yaml: PAGE.slice(start, PAGE.indexOf('\n```', start)) });
  }
  return blocks;
}

// The rows of the Markdown table right after `<!-- marker -->`, as cells.
function markedRows(marker: string): string[][] {
  const start = PAGE.indexOf(`<!-- ${marker} -->\n\n`);
  expect(start, `the page has <!-- ${marker} -->`).toBeGreaterThan(0);
  const lines = PAGE.slice(start).split('\n').slice(2);
  const table = lines.slice(0, lines.findIndex((line) => !line.startsWith('|')));
  return table.slice(2).map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
}

// As the demo writes a decision in its routing table.
function outcome(decision: RouteDecision): string {
  if (decision.decision === 'routed') return `→ ${decision.endpoint.id}${decision.fallback ? ` (fallback past ${decision.skippedUnavailable.join(', ')})` : ''}`;
  return `refused: ${decision.reason}`;
}

describe('the Factor XII page', () => {
  it.each([
    ['profile-table', transposeTable(profileTable())],
    ['fit-table', fitTable()],
  ] as [string, TextTable][])('shows the %s exactly as the package data generates it, under Deployment Profiles', (marker, table) => {
    expect(section('Deployment Profiles')).toContain(`<!-- ${marker} -->\n\n${renderMarkdownTable(table)}\n`);
  });

  it('shows at least one AgentDeployment, and each one it shows is accepted by its profile and the example Agent', () => {
    const blocks = deploymentBlocks();
    expect(blocks.length).toBeGreaterThan(0);
    for (const { line, yaml } of blocks) {
      const verdict = validateAgentDeployment(yaml, `docs/factors/12-package-patterns.md:${line}`, { agents: [agent] });
      expect(verdict.violations, `the block at line ${line}`).toEqual([]);
    }
  });

  it('shows each routing decision as the router makes it over the example catalogue', () => {
    const rows = markedRows('routing-examples');
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const [task, tier, label, down, shown, rule] of rows) {
      const decision = router.route({ task, tier, label }, { unavailable: down === '' ? [] : (down ?? '').split(', ') });
      expect([shown, rule], `${task} from ${tier} with ${label}`).toEqual([outcome(decision), decision.rule]);
    }
  });

  it('shows the refused example with exactly the violations the validator reports: line, field and rule', () => {
    const yaml = readFileSync(new URL('../examples/refused/agentdeployment-edge-refused.yaml', import.meta.url), 'utf8');
    const verdict = validateAgentDeployment(yaml, 'examples/refused/agentdeployment-edge-refused.yaml', { agents: [agent] });
    expect(verdict.accepted).toBe(false);
    expect(markedRows('refused-example')).toEqual(verdict.violations.map((violation) => [String(violation.line), `\`${violation.field}\``, `\`${violation.rule}\``]));
  });

  it('lists the air-gap checklist as boxes to tick, linking the browser test that proves the site works with the network blocked', () => {
    const profiles = section('Deployment Profiles');
    const boxes = profiles.split('\n').filter((line) => line.startsWith('- [ ] '));
    expect(boxes.length).toBeGreaterThanOrEqual(8);
    const link = '../../apps/showcase/browser/offline-bundle.test.ts';
    expect(profiles).toContain(`](${link})`);
    expect(existsSync(new URL(link, PAGE_URL))).toBe(true);
    expect(readFileSync(new URL(link, PAGE_URL), 'utf8')).toContain("import { airGap } from './support/air-gap.ts';");
    const gap = readFileSync(new URL('../../apps/showcase/browser/support/air-gap.ts', PAGE_URL), 'utf8');
    expect(gap).toContain("context.route('**/*'");
    expect(gap).toContain("route.abort('internetdisconnected')");
  });

  it('links this package from its Implementation Patterns', () => {
    expect(section('Implementation Patterns')).toContain('](../../packages/deployment-profiles/README.md)');
  });
});
