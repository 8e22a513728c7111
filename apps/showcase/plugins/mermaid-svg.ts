// Renders every ```mermaid fence to an inline SVG at build time, so a page ships no Mermaid
// code and needs no browser to build. beautiful-mermaid (pure JavaScript, pinned) lays the
// diagram out; this plugin makes its output fit the site:
// - no request to another origin (the renderer always emits a web-font @import);
// - colours are CSS variables of the site (src/css/custom.css), so one SVG follows dark mode;
// - its style rules are written onto the elements they select and its ids get the diagram's
//   prefix, so two diagrams on a page, or the site's own icons, never restyle each other;
// - an accessible name and a text description (Mermaid's accTitle/accDescr when the fence
//   has them, otherwise derived from the diagram's nodes and edges);
// - a focusable container that scrolls sideways, so a wide diagram never widens the page;
// - the figure holds the SVG as one HTML string, so React neither ships it as JavaScript
//   element calls nor walks it when the page hydrates.
// A fence that cannot be rendered fails the build, naming the file and the fence's line.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import type { Code, Root as MdastRoot, RootContent } from 'mdast';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import type * as BeautifulMermaid from 'beautiful-mermaid';
import type { RenderOptions } from 'beautiful-mermaid';

const requireHere = createRequire(import.meta.url);
let renderer: typeof BeautifulMermaid | undefined;

/**
 * beautiful-mermaid's export map offers only an `import` entry, which the CommonJS loader
 * Docusaurus reads its config with (jiti) cannot resolve. Node 20.19 and later can still
 * require() the ES module file itself, so this finds that file through the package's own
 * export map.
 */
function beautifulMermaid(): typeof BeautifulMermaid {
  if (renderer) return renderer;
  for (const dir of requireHere.resolve.paths('beautiful-mermaid') ?? []) {
    const manifest = path.join(dir, 'beautiful-mermaid', 'package.json');
    if (!existsSync(manifest)) continue;
    const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: { '.'?: { import?: string } } };
    const entry = exports?.['.']?.import;
    if (entry === undefined) throw new Error(`${manifest} has no "import" entry for ".": the renderer's package layout changed.`);
    renderer = requireHere(path.join(dir, 'beautiful-mermaid', entry)) as typeof BeautifulMermaid;
    return renderer;
  }
  throw new Error('beautiful-mermaid is not installed: run pnpm install.');
}

/** Colours and font handed to the renderer: site variables, defined per colour mode in custom.css. */
export const diagramTheme: RenderOptions = {
  bg: 'var(--site-diagram-bg)',
  fg: 'var(--site-diagram-fg)',
  line: 'var(--site-diagram-line)',
  accent: 'var(--site-diagram-accent)',
  muted: 'var(--site-diagram-muted)',
  surface: 'var(--site-diagram-surface)',
  border: 'var(--site-diagram-border)',
  // Only named in the CSS the renderer writes; parseStyle swaps it for --site-diagram-font.
  font: 'system-ui',
  transparent: true,
};

/** Below this share of its natural width a diagram stops shrinking and scrolls instead. */
export const minimumScale = 0.85;

export interface MermaidFence {
  /** The fence without its accessibility lines and front matter: what the renderer reads. */
  readonly body: string;
  /** `accTitle:` or the front matter's `title:`. */
  readonly title?: string;
  /** `accDescr:` (one line) or `accDescr { … }` (several lines). */
  readonly description?: string;
}

/**
 * Splits a fence into the diagram and the accessibility text Mermaid lets authors write
 * (`accTitle`, `accDescr`, a front matter `title`), which the renderer would otherwise draw
 * as nodes or reject. GitHub's Mermaid reads the same lines, so one fence serves both.
 */
export function parseFence(value: string): MermaidFence {
  let text = value.replace(/\r\n?/g, '\n');
  let title: string | undefined;
  let description: string | undefined;
  const frontMatter = /^\s*---\n([\s\S]*?)\n---[^\S\n]*(?:\n|$)/.exec(text);
  if (frontMatter) {
    const titleLine = /^title:\s*(.+)$/m.exec(frontMatter[1] ?? '');
    if (titleLine?.[1]) title = unquote(titleLine[1]);
    text = text.slice(frontMatter[0].length);
  }
  const kept: string[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const accTitle = /^\s*accTitle\s*:\s*(.*)$/.exec(line);
    if (accTitle) {
      title = accTitle[1]?.trim() || title;
      continue;
    }
    const accDescrLine = /^\s*accDescr\s*:\s*(.*)$/.exec(line);
    if (accDescrLine) {
      description = accDescrLine[1]?.trim() || description;
      continue;
    }
    if (/^\s*accDescr\s*\{/.test(line)) {
      const block: string[] = [line.replace(/^\s*accDescr\s*\{/, '')];
      while (!block.at(-1)?.includes('}') && index + 1 < lines.length) {
        index += 1;
        block.push(lines[index] ?? '');
      }
      const joined = block.join(' ');
      description = joined.slice(0, joined.indexOf('}') === -1 ? undefined : joined.indexOf('}')).replace(/\s+/g, ' ').trim();
      continue;
    }
    kept.push(line);
  }
  return { body: kept.join('\n').trim(), ...(title ? { title } : {}), ...(description ? { description } : {}) };
}

function unquote(text: string): string {
  return text.trim().replace(/^(['"])(.*)\1$/, '$2');
}

const diagramKinds: readonly (readonly [RegExp, string])[] = [
  [/^(flowchart|graph)\b/, 'Flowchart'],
  [/^stateDiagram/, 'State diagram'],
  [/^sequenceDiagram\b/, 'Sequence diagram'],
  [/^classDiagram/, 'Class diagram'],
  [/^erDiagram\b/, 'Entity relationship diagram'],
  [/^xychart/, 'Chart'],
];

/** A readable name for the diagram's type, from its header line. */
export function diagramKind(body: string): string {
  const header = body.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('%%'))?.trim() ?? '';
  return diagramKinds.find(([pattern]) => pattern.test(header))?.[1] ?? 'Diagram';
}

/** One rule of the renderer's CSS: a compound selector (`svg`, `.mono`, `path.series-0`) and its declarations. */
export interface InlineRule {
  readonly tagName?: string;
  readonly classes: readonly string[];
  readonly declarations: string;
}

/**
 * Parses the renderer's <style> block into rules that can be written onto the elements they
 * select. A <style> element cannot stay: inside inline SVG its rules apply to the whole page
 * (every diagram, every icon), and the HTML minifier rewrites its text.
 * Every @import is dropped (the renderer always asks for a web font); fonts become the
 * site's own; a selector with a combinator or pseudo-class is refused rather than lost.
 */
export function parseStyle(css: string): InlineRule[] {
  const withoutImports = css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/@import\s+url\([^)]*\)\s*;/g, '');
  const rules: InlineRule[] = [];
  let rest = withoutImports;
  for (const match of withoutImports.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const declarations = (match[2] ?? '')
      .split(';')
      .map((declaration) => declaration.trim().replace(/\s+/g, ' '))
      .filter(Boolean)
      .map((declaration) => {
        if (!declaration.startsWith('font-family')) return declaration;
        return /mono/i.test(declaration) ? 'font-family:var(--ifm-font-family-monospace)' : 'font-family:var(--site-diagram-font)';
      })
      .join(';');
    for (const selector of (match[1] ?? '').split(',').map((part) => part.trim())) {
      const compound = /^([a-z]+)?((?:\.[\w-]+)*)$/i.exec(selector);
      if (!compound || selector === '') {
        throw new Error(`the renderer styles "${selector}", a selector the site cannot write onto elements; plugins/mermaid-svg.ts needs to learn it`);
      }
      const classes = (compound[2] ?? '').split('.').filter(Boolean);
      rules.push({ ...(compound[1] ? { tagName: compound[1] } : {}), classes, declarations });
    }
    rest = rest.replace(match[0], '');
  }
  if (rest.trim() !== '') {
    throw new Error(`unexpected CSS in the renderer's output: ${rest.trim().slice(0, 80)}`);
  }
  return rules;
}

/** Writes each rule onto the elements it selects, after their own style, in rule order. */
export function applyStyle(svg: Element, rules: readonly InlineRule[]): void {
  const visit = (element: Element): void => {
    const own = classes(element);
    const matching = rules.filter(
      (rule) => (rule.tagName === undefined || rule.tagName === element.tagName) && rule.classes.every((name) => own.includes(name)) && (rule.tagName !== undefined || rule.classes.length > 0),
    );
    // `text { font-family }` is inherited: it goes on the <svg> with the other root rules.
    const declarations = matching.filter((rule) => !(element !== svg && rule.tagName === 'text' && rule.classes.length === 0)).map((rule) => rule.declarations);
    if (element === svg) declarations.push(...rules.filter((rule) => rule.tagName === 'text' && rule.classes.length === 0).map((rule) => rule.declarations));
    if (declarations.length > 0) {
      element.properties.style = [element.properties.style, ...declarations].filter((part) => part !== undefined && part !== null && part !== '').join(';');
    }
    for (const child of element.children) if (child.type === 'element') visit(child);
  };
  visit(svg);
}

/** Prefixes every id of the SVG (arrowhead markers and the like) and every reference to one. */
export function scopeIds(svg: string, prefix: string): string {
  return svg
    .replace(/(?<=\s)id="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/(?<=\s)(xlink:)?href="#([^"]+)"/g, (_, xlink: string | undefined, id: string) => `${xlink ?? ''}href="#${prefix}-${id}"`);
}

const geometry = /(?<=\s)(points|d|x|y|x1|y1|x2|y2|cx|cy|r|rx|ry|dx|dy|width|height|viewBox|transform|refX|refY)="([^"]*)"/g;

/**
 * Rounds the coordinates of the SVG to two decimals (the layout engine writes up to
 * sixteen): a third less markup on the page, no visible change. Text is left as written.
 */
export function roundGeometry(svg: string): string {
  return svg.replace(geometry, (_, name: string, value: string) => {
    const rounded = value.replace(/-?\d+\.\d{3,}/g, (number) => String(Math.round(Number(number) * 100) / 100));
    return `${name}="${rounded}"`;
  });
}

function findAll(node: HastRoot | Element, test: (element: Element) => boolean, found: Element[] = []): Element[] {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    if (test(child)) found.push(child);
    findAll(child, test, found);
  }
  return found;
}

function classes(element: Element): string[] {
  const value = element.properties.className;
  return Array.isArray(value) ? value.map(String) : [];
}

function data(element: Element, name: string): string | undefined {
  const value = element.properties[`data${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`];
  return value === undefined || value === null ? undefined : String(value);
}

/** Node and participant labels, in drawing order, and the edges or messages between them. */
export function describeSvg(svg: HastRoot | Element): { labels: string[]; links: string[] } {
  const names = new Map<string, string>();
  const labels: string[] = [];
  for (const element of findAll(svg, (candidate) => ['node', 'actor', 'class-node', 'entity'].some((name) => classes(candidate).includes(name)))) {
    const id = data(element, 'id') ?? '';
    const shape = data(element, 'shape');
    const label = (shape === 'state-start' ? 'start' : shape === 'state-end' ? 'end' : data(element, 'label') ?? id).replace(/\s+/g, ' ').trim();
    names.set(id, label);
    if (label && shape !== 'state-start' && shape !== 'state-end' && !labels.includes(label)) labels.push(label);
  }
  const links = findAll(svg, (candidate) => classes(candidate).includes('edge') || classes(candidate).includes('message'))
    .flatMap((element) => {
      const from = data(element, 'from');
      const to = data(element, 'to');
      if (!from || !to) return [];
      const label = data(element, 'label')?.replace(/\s+/g, ' ').trim();
      return [`${names.get(from) || from} to ${names.get(to) || to}${label ? `: ${label}` : ''}`];
    });
  return { labels, links };
}

function truncate(text: string, length: number): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), length / 2)).replace(/[;,:\s]+$/, '')}…`;
}

export interface RenderedDiagram {
  /** <figure class="mermaid-diagram"> holding the scoped, labelled <svg>. */
  readonly figure: Element;
  readonly name: string;
  readonly width: number;
  readonly height: number;
}

/** Renders one fence to the figure that replaces it on the page. Throws on a diagram it cannot render. */
export function renderDiagram(value: string, id: string): RenderedDiagram {
  const fence = parseFence(value);
  if (fence.body === '') throw new Error('the fence is empty');
  const raw = beautifulMermaid().renderMermaidSVG(fence.body, diagramTheme);
  const rules: InlineRule[] = [];
  const scoped = scopeIds(roundGeometry(raw), id).replace(/<style>([\s\S]*?)<\/style>\s*/g, (_, css: string) => {
    rules.push(...parseStyle(css));
    return '';
  });
  if (/@import|url\(\s*['"]?(?!#)|href="(?!#)/.test(scoped)) {
    throw new Error('the rendered SVG loads a resource (an @import, url() or href that is not a local #id)');
  }
  const tree = fromHtml(scoped, { fragment: true });
  const svg = tree.children.find((child): child is Element => child.type === 'element' && child.tagName === 'svg');
  if (!svg) throw new Error('the renderer returned no <svg> element');
  const width = Number(svg.properties.width);
  const height = Number(svg.properties.height);
  if (!(Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0)) throw new Error('the renderer returned an SVG with no finite size');

  const kind = diagramKind(fence.body);
  const { labels, links } = describeSvg(svg);
  const name = fence.title ?? (labels.length > 0 ? truncate(`${kind}: ${labels.join('; ')}`, 160) : kind);
  const description = fence.description ?? (links.length > 0 ? `${links.join('. ')}.` : labels.length > 0 ? `${labels.join('. ')}.` : undefined);

  const titleId = `${id}-title`;
  const descriptionId = `${id}-desc`;
  const accessible: ElementContent[] = [{ type: 'element', tagName: 'title', properties: { id: titleId }, children: [{ type: 'text', value: name }] }];
  if (description) {
    accessible.push({ type: 'element', tagName: 'desc', properties: { id: descriptionId }, children: [{ type: 'text', value: description }] });
  }
  applyStyle(svg, rules);
  svg.properties = {
    ...svg.properties,
    id,
    role: 'img',
    ariaLabelledBy: [titleId],
    ...(description ? { ariaDescribedBy: [descriptionId] } : {}),
    // Shrinks with the column down to minimumScale, then the figure scrolls instead.
    style: [
      String(svg.properties.style ?? ''),
      // The renderer's faintest text (placeholders such as "no attributes") would fall below 4.5:1.
      '--_text-faint:var(--muted)',
      `--diagram-width:${Math.ceil(width)}px`,
      `--diagram-min-width:${Math.ceil(width * minimumScale)}px`,
    ]
      .filter(Boolean)
      .join(';'),
  };
  svg.children = [...accessible, ...svg.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''))];

  const figureChildren: ElementContent[] = [svg];
  if (fence.title) {
    figureChildren.push({ type: 'element', tagName: 'figcaption', properties: {}, children: [{ type: 'text', value: fence.title }] });
  }
  const figure: Element = {
    type: 'element',
    tagName: 'figure',
    // Focusable so a keyboard can scroll a diagram wider than the screen; named after it. It
    // reserves its height at the smallest scale (where most columns draw it) until the browser
    // draws it (custom.css).
    properties: {
      className: ['mermaid-diagram'],
      dataDiagram: kind,
      tabIndex: 0,
      ariaLabelledBy: [titleId],
      style: `--diagram-height:${Math.ceil(height * minimumScale)}px`,
    },
    children: figureChildren,
  };
  return { figure, name, width, height };
}

export interface RemarkMermaidSvgOptions {
  /** The repository root: error messages name files relative to it. */
  readonly rootDir?: string;
}

interface VFileLike {
  readonly path?: string;
}

type Parent = MdastRoot | Extract<RootContent, { children: unknown[] }>;

/**
 * The mdast node that stands for a rendered diagram: an MDX JSX `<figure>` whose content is
 * the SVG as HTML (`dangerouslySetInnerHTML`). The page's HTML carries the SVG exactly as
 * with plain elements, but React neither ships hundreds of SVG elements as JavaScript calls
 * nor walks them when it hydrates the page: the diagram costs a string in the page's chunk.
 */
export interface MermaidDiagramNode {
  type: 'mdxJsxFlowElement';
  name: 'figure';
  attributes: { type: 'mdxJsxAttribute'; name: string; value: string | { type: 'mdxJsxAttributeValueExpression'; value: string; data: { estree: unknown } } }[];
  children: [];
}

/** A JSX attribute holding one literal expression, with the estree MDX compiles from. */
function expressionAttribute(name: string, source: string, expression: unknown): MermaidDiagramNode['attributes'][number] {
  const program = { type: 'Program', sourceType: 'module', body: [{ type: 'ExpressionStatement', expression }] };
  return { type: 'mdxJsxAttribute', name, value: { type: 'mdxJsxAttributeValueExpression', value: source, data: { estree: program } } };
}

/** `style="--a:1;--b:2"` as React's style object of custom properties: `{{'--a': '1', '--b': '2'}}`. */
function styleAttribute(css: string): MermaidDiagramNode['attributes'][number] {
  const declarations = css
    .split(';')
    .map((declaration) => declaration.split(':'))
    .filter((parts): parts is [string, string] => parts.length === 2 && /^--[\w-]+$/.test(parts[0]?.trim() ?? ''))
    .map(([name, value]) => [name.trim(), value.trim()] as const);
  const expression = {
    type: 'ObjectExpression',
    properties: declarations.map(([name, value]) => ({
      type: 'Property',
      key: { type: 'Literal', value: name },
      value: { type: 'Literal', value },
      kind: 'init',
      method: false,
      shorthand: false,
      computed: false,
    })),
  };
  return expressionAttribute('style', `{${JSON.stringify(Object.fromEntries(declarations))}}`, expression);
}

/** The figure as an MDX JSX element with its content as one HTML string. */
export function figureNode(figure: Element): MermaidDiagramNode {
  const html = toHtml(figure.children);
  const { className, dataDiagram, tabIndex, ariaLabelledBy, style } = figure.properties;
  const innerHtml = {
    type: 'ObjectExpression',
    properties: [
      { type: 'Property', key: { type: 'Identifier', name: '__html' }, value: { type: 'Literal', value: html }, kind: 'init', method: false, shorthand: false, computed: false },
    ],
  };
  return {
    type: 'mdxJsxFlowElement',
    name: 'figure',
    attributes: [
      { type: 'mdxJsxAttribute', name: 'className', value: (className as string[]).join(' ') },
      { type: 'mdxJsxAttribute', name: 'data-diagram', value: String(dataDiagram) },
      { type: 'mdxJsxAttribute', name: 'tabIndex', value: String(tabIndex) },
      { type: 'mdxJsxAttribute', name: 'aria-labelledby', value: (ariaLabelledBy as string[]).join(' ') },
      styleAttribute(String(style ?? '')),
      expressionAttribute('dangerouslySetInnerHTML', `{__html: ${JSON.stringify(html)}}`, innerHtml),
    ],
    children: [],
  };
}

function visitCode(parent: Parent, visit: (node: Code, index: number, parent: Parent) => void): void {
  const children = parent.children as RootContent[];
  children.forEach((child, index) => {
    if (child.type === 'code') visit(child, index, parent);
    else if ('children' in child && Array.isArray(child.children)) visitCode(child as Parent, visit);
  });
}

/** Remark plugin: every ```mermaid fence becomes an inline, accessible SVG figure. */
export default function remarkMermaidSvg(options: RemarkMermaidSvgOptions = {}) {
  return (tree: MdastRoot, file: VFileLike): void => {
    const where = file.path ? (options.rootDir ? path.relative(options.rootDir, file.path) : file.path).split(path.sep).join('/') : 'Markdown input';
    let count = 0;
    visitCode(tree, (node, index, parent) => {
      if (node.lang?.toLowerCase() !== 'mermaid') return;
      count += 1;
      const line = node.position?.start.line;
      const id = `mermaid-${createHash('sha256').update(`${where}\n${count}\n${node.value}`).digest('hex').slice(0, 10)}`;
      let rendered: RenderedDiagram;
      try {
        rendered = renderDiagram(node.value, id);
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
        throw new Error(
          `${where}${line === undefined ? '' : `:${line}`}: the Mermaid diagram in this fence cannot be rendered to SVG: ${reason}. ` +
            'The site renders flowchart/graph, stateDiagram(-v2), sequenceDiagram, classDiagram, erDiagram and xychart-beta at build time; fix the fence or use one of these types.',
        );
      }
      (parent.children as unknown[])[index] = figureNode(rendered.figure);
    });
  };
}
