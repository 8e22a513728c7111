import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildingBlockPackages, crossInstanceRoute, docRoute, examplePackages, patternPackages } from '../plugins/routes.ts';

const repo = '/repo';

describe('routes of repository files on the site', () => {
  it('drops numeric prefixes and README from doc routes', () => {
    expect(docRoute('factors/08-human-validation.md')).toBe('docs/factors/human-validation');
    expect(docRoute('factors/README.md')).toBe('docs/factors');
    expect(docRoute('README.md')).toBe('docs');
  });

  it('sends a factor page link to a package README to its Examples page, keeping the anchor', () => {
    const source = path.join(repo, 'docs/factors/08-human-validation.md');
    expect(crossInstanceRoute(repo, source, '../../packages/budget-quota/README.md#run-it')).toBe('/examples/budget-quota#run-it');
  });

  it('sends a package README link back to a factor page', () => {
    const source = path.join(repo, 'packages/reconciler/README.md');
    expect(crossInstanceRoute(repo, source, '../../docs/factors/11-fail-safe-checks.md')).toBe('/docs/factors/fail-safe-checks');
  });

  it('leaves links that reach neither a doc nor a package README unresolved, so the build fails', () => {
    const source = path.join(repo, 'docs/factors/08-human-validation.md');
    expect(crossInstanceRoute(repo, source, '../../packages/budget-quota/src/index.ts')).toBeUndefined();
    expect(crossInstanceRoute(repo, source, '../../README.md')).toBeUndefined();
    expect(crossInstanceRoute(repo, source, 'https://example.org/x.md')).toBeUndefined();
  });

  it('lists the packages that declare the factor they implement, then the building blocks, and no tooling package', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pattern-packages-'));
    try {
      for (const [name, manifest] of [
        ['budget-quota', { name: 'b', agentops: { factor: 'VIII' } }],
        ['core', { name: 'c', agentops: { buildingBlock: true } }],
        ['doc-checks', { name: 'd' }],
        ['reconciler', { name: 'r', agentops: { factor: 'XI' } }],
        ['sql', { name: 's', agentops: { buildingBlock: true } }],
        ['tooling', { name: 't', agentops: { buildingBlock: 'yes' } }],
      ] as const) {
        mkdirSync(path.join(dir, name));
        writeFileSync(path.join(dir, name, 'package.json'), JSON.stringify(manifest));
      }
      mkdirSync(path.join(dir, 'not-a-package'));
      expect(patternPackages(dir)).toEqual(['budget-quota', 'reconciler']);
      expect(buildingBlockPackages(dir)).toEqual(['core', 'sql']);
      expect(examplePackages(dir)).toEqual(['budget-quota', 'reconciler', 'core', 'sql']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
