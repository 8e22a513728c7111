// Highlights every code fence at build time and hands it to React as one HTML string.
//
// The theme's code block tokenises its code with Prism in the browser and renders each token
// as a React element: a 60-line excerpt is several hundred elements, which React creates,
// hydrates, and then creates again (the theme remounts every code block after hydration so
// that its colours follow the colour mode). On a page with many excerpts that is most of the
// main thread's work. Here the tokens are rendered to HTML once, at build time, with class
// names instead of inline colours; the colours come from a stylesheet per colour mode
// (`prerenderedCodeCss`), so nothing has to be re-rendered when the mode changes, and the
// page's script carries one string per block instead of a tree of element calls.
//
// Options this renderer does not reproduce (line numbers, highlighted lines, magic comments)
// fail the build, naming the fence: the browser has no Prism to fall back on
// (no-client-prism.ts), and src/theme/CodeBlock renders code that reaches it unhighlighted.
import path from 'node:path';
import type { Code, Root as MdastRoot, RootContent } from 'mdast';
import { normalizeTokens, Prism } from 'prism-react-renderer';
import type { PrismTheme } from 'prism-react-renderer';

/** The MDX component a prerendered fence becomes (registered in src/theme/MDXComponents.tsx). */
export const componentName = 'PrerenderedCode';

/** The mdast node that stands for a prerendered fence. */
export interface PrerenderedCodeNode {
  type: 'mdxJsxFlowElement';
  name: typeof componentName;
  attributes: { type: 'mdxJsxAttribute'; name: 'code' | 'html' | 'language' | 'title'; value: string }[];
  children: [];
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => escapes[character] ?? character);
}

/** The grammar for a fence's language, or undefined for plain text (`sh`, `text`, none). */
function grammarFor(language: string): Prism.Grammar | undefined {
  return Prism.languages[language] as Prism.Grammar | undefined;
}

/**
 * The HTML of a highlighted block: one `div.token-line` per line (as the theme renders it, so
 * its styles apply), each token a `span` whose classes are `token` and the token's types.
 */
export function highlightToHtml(code: string, language: string): string {
  const grammar = grammarFor(language);
  const tokens = grammar === undefined ? [code] : Prism.tokenize(code, grammar);
  const lines = normalizeTokens(tokens);
  return lines
    .map((line) => {
      const spans = line
        .filter((token) => token.content !== '' && token.content !== '\n')
        .map((token) => `<span class="token ${token.types.map(escapeHtml).join(' ')}">${escapeHtml(token.content)}</span>`)
        .join('');
      return `<div class="token-line">${spans}<br></div>`;
    })
    .join('');
}

/** The `title="…"` of a fence's meta string, as the theme reads it. */
export function titleOf(meta: string | null | undefined): string | undefined {
  const match = /title=(["'])(.*?)\1/.exec(meta ?? '');
  return match?.[2];
}

/** What a fence asks for that this renderer does not draw, or undefined. */
export function unsupportedOption(node: Code): string | undefined {
  const meta = node.meta ?? '';
  if (/\bshowLineNumbers\b/.test(meta)) return 'line numbers (showLineNumbers)';
  if (/\{[\d,\s-]+\}/.test(meta)) return `highlighted lines (${/\{[\d,\s-]+\}/.exec(meta)?.[0] ?? ''})`;
  if (/(?:\/\/|#|<!--|\/\*)\s*highlight-(?:next-line|start|end)/.test(node.value)) return 'a highlight magic comment';
  return undefined;
}

export function prerenderedCodeNode(node: Code): PrerenderedCodeNode {
  const language = (node.lang ?? 'text').toLowerCase();
  const title = titleOf(node.meta);
  return {
    type: 'mdxJsxFlowElement',
    name: componentName,
    attributes: [
      { type: 'mdxJsxAttribute', name: 'language', value: language },
      ...(title === undefined ? [] : [{ type: 'mdxJsxAttribute' as const, name: 'title' as const, value: title }]),
      { type: 'mdxJsxAttribute', name: 'code', value: node.value },
      { type: 'mdxJsxAttribute', name: 'html', value: highlightToHtml(node.value, language) },
    ],
    children: [],
  };
}

type Parent = MdastRoot | Extract<RootContent, { children: unknown[] }>;

function visitCode(parent: Parent, visit: (node: Code, index: number, parent: Parent) => void): void {
  (parent.children as RootContent[]).forEach((child, index) => {
    if (child.type === 'code') visit(child, index, parent);
    else if ('children' in child && Array.isArray(child.children)) visitCode(child as Parent, visit);
  });
}

export interface RemarkPrerenderedCodeOptions {
  /** The repository root: error messages name files relative to it. */
  readonly rootDir?: string;
}

/** Remark plugin: every code fence but Mermaid's becomes a prerendered code block. */
export default function remarkPrerenderedCode(options: RemarkPrerenderedCodeOptions = {}) {
  return (tree: MdastRoot, file: { readonly path?: string } = {}): void => {
    visitCode(tree, (node, index, parent) => {
      if (node.lang?.toLowerCase() === 'mermaid') return;
      const unsupported = unsupportedOption(node);
      if (unsupported !== undefined) {
        const where = file.path ? (options.rootDir ? path.relative(options.rootDir, file.path) : file.path).split(path.sep).join('/') : 'Markdown input';
        const line = node.position?.start.line;
        throw new Error(`${where}${line === undefined ? '' : `:${line}`}: this code fence asks for ${unsupported}, which the site's build-time highlighting does not draw. Remove it, or split the excerpt.`);
      }
      (parent.children as unknown[])[index] = prerenderedCodeNode(node);
    });
  };
}

/** CSS declarations of a Prism theme style (colour, background, font style and weight). */
function declarations(style: PrismTheme['plain']): string {
  const names: [keyof PrismTheme['plain'], string][] = [
    ['color', 'color'],
    ['backgroundColor', 'background-color'],
    ['fontStyle', 'font-style'],
    ['fontWeight', 'font-weight'],
    ['textDecorationLine', 'text-decoration-line'],
    ['opacity', 'opacity'],
  ];
  return names
    .filter(([key]) => style[key] !== undefined)
    .map(([key, property]) => `${property}:${String(style[key])}`)
    .join(';');
}

/**
 * The stylesheet that colours prerendered blocks: the light theme by default and under
 * `[data-theme='light']`, the dark theme under `[data-theme='dark']`. Rules follow the theme's
 * style order, so a token with several types ends with the colour the theme's own renderer
 * would give it (its later styles win there too).
 */
export function prerenderedCodeCss(themes: { readonly light: PrismTheme; readonly dark: PrismTheme }): string {
  const rules = (scope: string, theme: PrismTheme): string[] => [
    `${scope} .prerendered-code{--prism-color:${theme.plain.color ?? 'inherit'};--prism-background-color:${theme.plain.backgroundColor ?? 'transparent'};${declarations(theme.plain)}}`,
    ...theme.styles.map((style) => `${scope} .prerendered-code .token:is(${style.types.map((type) => `.${type}`).join(',')}){${declarations(style.style)}}`),
  ];
  return [...rules(':root', themes.light), ...rules("[data-theme='dark']", themes.dark)].join('\n');
}
