// The order of the framework sidebar's top level: the introduction, the factors, the
// explanation documents, then the rest (the glossary). It is set here, for the docs plugin's
// sidebarItemsGenerator, and not with site-only files in docs/. It cannot live in sidebars.ts:
// Docusaurus reads every export of that file as a sidebar.

/** The folders of docs/ whose categories lead the sidebar after the introduction, in order. */
export const FRAMEWORK_SECTIONS: readonly string[] = ['factors', 'explanation'];

interface TopLevelItem {
  readonly type: string;
  readonly id?: string;
  readonly link?: unknown;
}

function linkedDocId(item: TopLevelItem): string | undefined {
  const link = item.link;
  if (typeof link !== 'object' || link === null) return undefined;
  const id = (link as { type?: unknown; id?: unknown }).id;
  return (link as { type?: unknown }).type === 'doc' && typeof id === 'string' ? id : undefined;
}

/**
 * The generated top level in the framework's order: the introduction (docs/README.md) first,
 * then each category of FRAMEWORK_SECTIONS (found by its index doc) in that order, then every
 * other item as generated. Stable, so items of the same rank keep the generator's order.
 */
export function frameworkOrder<Item extends TopLevelItem>(items: readonly Item[]): Item[] {
  const rank = (item: Item): number => {
    if (item.type === 'doc' && item.id === 'README') return 0;
    const folder = item.type === 'category' ? linkedDocId(item)?.split('/')[0] : undefined;
    const section = folder === undefined ? -1 : FRAMEWORK_SECTIONS.indexOf(folder);
    return section < 0 ? FRAMEWORK_SECTIONS.length + 1 : section + 1;
  };
  return items.map((item, index) => ({ item, index })).sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index).map(({ item }) => item);
}
