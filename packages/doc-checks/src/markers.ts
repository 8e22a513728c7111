// The comment markers that bind a fenced block to a file or a package in packages/. HTML comments
// render on neither GitHub nor the site, so the markers stay invisible to readers.
import type { Fence } from './markdown.ts';
import { fencedLines, findFences } from './markdown.ts';

export type MarkerKind = 'excerpt' | 'generated' | 'schema';

export interface MarkedBlock {
  /** 1-based line of the marker comment. */
  readonly markerLine: number;
  /** The text after `excerpt:`, `generated:` or `schema:`. */
  readonly value: string;
  /** The fenced block on the next line, when there is one. */
  readonly fence: Fence | undefined;
}

export function findMarkedBlocks(lines: readonly string[], kind: MarkerKind): MarkedBlock[] {
  const fences = findFences(lines);
  const fenced = fencedLines(lines, fences);
  const pattern = new RegExp(`^\\s*<!--\\s*${kind}:\\s*(.*?)\\s*-->\\s*$`);
  const blocks: MarkedBlock[] = [];
  lines.forEach((line, index) => {
    if (fenced[index] === true) return;
    const match = pattern.exec(line);
    if (match === null) return;
    blocks.push({ markerLine: index + 1, value: match[1] ?? '', fence: fences.find((fence) => fence.open === index + 1) });
  });
  return blocks;
}

/** The block's content lines (between the fences), with their 1-based line numbers. */
export function fenceContent(lines: readonly string[], fence: Fence): { readonly text: string; readonly line: number }[] {
  const end = fence.close ?? lines.length;
  const content: { text: string; line: number }[] = [];
  for (let index = fence.open + 1; index < end; index += 1) content.push({ text: lines[index] ?? '', line: index + 1 });
  return content;
}
