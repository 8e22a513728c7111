// docs/CHANGELOG.md is written by changesets when the framework is versioned. When it exists
// the site shows it as the "Release notes" page of the docs (/docs/release-notes), last in
// the sidebar; when it does not, nothing refers to it. The file stays exactly as changesets
// wrote it: its title, route and place are given here, not in the file.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const releaseNotesFile = 'CHANGELOG.md';
export const releaseNotesDocId = 'CHANGELOG';
export const releaseNotesSlug = '/release-notes';
export const releaseNotesTitle = 'Release notes';

/** The absolute path of the changelog in a docs tree. */
export function changelogPath(docsDir: string): string {
  return path.join(path.resolve(docsDir), releaseNotesFile);
}

export function hasReleaseNotes(docsDir: string): boolean {
  return existsSync(changelogPath(docsDir));
}

/** Whether a Markdown file the site reads is the changelog of the docs tree. */
export function isChangelog(docsDir: string, filePath: string): boolean {
  return path.resolve(filePath) === changelogPath(docsDir);
}

/** Front matter for the changelog: its page title, sidebar label, route and description. */
export function releaseNotesFrontMatter(frontMatter: Record<string, unknown>): Record<string, unknown> {
  return {
    ...frontMatter,
    title: releaseNotesTitle,
    sidebar_label: releaseNotesTitle,
    slug: releaseNotesSlug,
    description: 'What changed in each version of the 12-Factor AgentOps framework text.',
  };
}

/** The changelog with its package-name heading replaced by the page title. */
export function releaseNotesMarkdown(content: string): string {
  const heading = /^# .*$/m;
  return heading.test(content) ? content.replace(heading, `# ${releaseNotesTitle}`) : `# ${releaseNotesTitle}\n\n${content}`;
}

/**
 * The sidebar generated from docs/, with the release notes moved after the framework's own
 * pages (the generator would otherwise sort CHANGELOG.md first, by name).
 */
export function releaseNotesLast<Item extends { type: string; id?: string }>(items: readonly Item[]): Item[] {
  const isReleaseNotes = (item: Item): boolean => item.type === 'doc' && item.id === releaseNotesDocId;
  return [...items.filter((item) => !isReleaseNotes(item)), ...items.filter(isReleaseNotes)];
}
