import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasReleaseNotes, isChangelog, releaseNotesFrontMatter, releaseNotesLast, releaseNotesMarkdown } from '../plugins/release-notes.ts';

let docsDir: string;

beforeEach(() => {
  docsDir = mkdtempSync(path.join(tmpdir(), 'release-notes-'));
  writeFileSync(path.join(docsDir, 'README.md'), '# Framework\n');
});

afterEach(() => {
  rmSync(docsDir, { recursive: true, force: true });
});

const changesetsChangelog = '# @12-factor-agentops/framework\n\n## 2.0.0\n\n### Major Changes\n\n- abc1234: Twelve factors rewritten.\n';

describe('docs/CHANGELOG.md as the release-notes page', () => {
  it('is looked for in the docs tree and found once changesets writes it', () => {
    expect(hasReleaseNotes(docsDir)).toBe(false);
    writeFileSync(path.join(docsDir, 'CHANGELOG.md'), changesetsChangelog);
    expect(hasReleaseNotes(docsDir)).toBe(true);
  });

  it('titles the page "Release notes" at /docs/release-notes, whatever the file says', () => {
    expect(releaseNotesFrontMatter({ tags: ['x'] })).toEqual({
      tags: ['x'],
      title: 'Release notes',
      sidebar_label: 'Release notes',
      slug: '/release-notes',
      description: 'What changed in each version of the 12-Factor AgentOps framework text.',
    });
    expect(releaseNotesMarkdown(changesetsChangelog)).toBe(changesetsChangelog.replace('# @12-factor-agentops/framework', '# Release notes'));
    expect(releaseNotesMarkdown('## 1.0.0\n')).toBe('# Release notes\n\n## 1.0.0\n');
  });

  it('comes last in the sidebar generated from docs/, after the framework pages', () => {
    const generated = [
      { type: 'doc', id: 'CHANGELOG' },
      { type: 'doc', id: 'README' },
      { type: 'category', label: 'Factors' },
    ];
    expect(releaseNotesLast(generated)).toEqual([
      { type: 'doc', id: 'README' },
      { type: 'category', label: 'Factors' },
      { type: 'doc', id: 'CHANGELOG' },
    ]);
    expect(releaseNotesLast(generated.slice(1))).toEqual(generated.slice(1));
  });

  it('recognises the changelog of the docs tree and nothing else', () => {
    expect(isChangelog(docsDir, path.join(docsDir, 'CHANGELOG.md'))).toBe(true);
    expect(isChangelog(`${docsDir}/factors/..`, path.join(docsDir, 'CHANGELOG.md'))).toBe(true);
    expect(isChangelog(docsDir, path.join(docsDir, 'factors', 'CHANGELOG.md'))).toBe(false);
    expect(isChangelog(docsDir, path.join(docsDir, 'README.md'))).toBe(false);
  });
});
