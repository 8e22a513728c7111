import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Element, ElementContent } from 'hast';
import type { Code, Root } from 'mdast';
import { describe, expect, it } from 'vitest';
import remarkMermaidSvg, { applyStyle, figureNode, minimumScale, parseFence, parseStyle, renderDiagram, roundGeometry, type MermaidDiagramNode } from '../plugins/mermaid-svg.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const flowchart = ['flowchart LR', '    A["Model proposes a tool call"] --> B["Harness appends intent record"]', '    B -->|"checks pass"| C["Commit with the run id"]'].join('\n');
const stateDiagram = ['stateDiagram-v2', '    [*] --> Closed', '    Closed --> Open: 5 failures within 1 minute', '    Open --> [*]'].join('\n');
const sequenceDiagram = ['sequenceDiagram', '    participant A as Agent', '    participant S as Quota store', '    A->>S: reserve', '    S-->>A: reservation'].join('\n');

function elements(node: Element, tagName: string, found: Element[] = []): Element[] {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    if (child.tagName === tagName) found.push(child);
    elements(child, tagName, found);
  }
  return found;
}

function text(node: ElementContent): string {
  if (node.type === 'text') return node.value;
  return node.type === 'element' ? node.children.map(text).join('') : '';
}

function svgOf(figure: Element): Element {
  const svg = elements(figure, 'svg')[0];
  if (!svg) throw new Error('no svg in the figure');
  return svg;
}

function markdownWithMermaid(): { file: string; line: number; value: string }[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.md')) files.push(full);
    }
  };
  walk(path.join(repoRoot, 'docs'));
  for (const name of readdirSync(path.join(repoRoot, 'packages'))) {
    const readme = path.join(repoRoot, 'packages', name, 'README.md');
    try {
      readFileSync(readme);
      files.push(readme);
    } catch {
      // a package without a README has no page
    }
  }
  return files.flatMap((file) => {
    const source = readFileSync(file, 'utf8');
    return [...source.matchAll(/^```mermaid[^\n]*\n([\s\S]*?)^```/gm)].map((match) => ({
      file: path.relative(repoRoot, file),
      line: source.slice(0, match.index).split('\n').length,
      value: match[1] ?? '',
    }));
  });
}

describe('a Mermaid fence rendered to inline SVG', () => {
  it.each([
    ['flowchart', flowchart, 'Flowchart'],
    ['state diagram', stateDiagram, 'State diagram'],
    ['sequence diagram', sequenceDiagram, 'Sequence diagram'],
  ])('renders a %s as a labelled image in a focusable figure', (_, source, kind) => {
    const { figure, width } = renderDiagram(source, 'mermaid-test');
    expect(figure.tagName).toBe('figure');
    expect(figure.properties).toMatchObject({ className: ['mermaid-diagram'], tabIndex: 0, dataDiagram: kind, ariaLabelledBy: ['mermaid-test-title'] });
    const svg = svgOf(figure);
    expect(svg.properties).toMatchObject({ id: 'mermaid-test', role: 'img', ariaLabelledBy: ['mermaid-test-title'] });
    expect(text(elements(svg, 'title')[0] ?? svg)).toMatch(new RegExp(`^${kind}: `));
    expect(width).toBeGreaterThan(0);
  });

  it('loads nothing from another origin and carries no <style> element: the web-font @import is gone', () => {
    for (const source of [flowchart, stateDiagram, sequenceDiagram, 'classDiagram\n  class Quota {\n    +reserve() Reservation\n  }']) {
      const svg = svgOf(renderDiagram(source, 'mermaid-test').figure);
      expect(elements(svg, 'style')).toEqual([]);
      const serialized = JSON.stringify(svg);
      expect(serialized).not.toMatch(/@import|googleapis|JetBrains/);
      expect(serialized).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
    }
  });

  it('draws in the site colour variables and fonts, so one SVG follows light and dark mode', () => {
    const svg = svgOf(renderDiagram(stateDiagram, 'mermaid-test').figure);
    const style = String(svg.properties.style);
    for (const role of ['bg', 'fg', 'line', 'accent', 'muted', 'surface', 'border']) {
      expect(style).toContain(`--${role}:var(--site-diagram-${role})`);
    }
    expect(style).toContain('font-family:var(--site-diagram-font)');
    expect(JSON.stringify(svg)).not.toMatch(/"#[0-9a-f]{3,6}"|:\s*#[0-9a-f]{3,6}/i);
  });

  it('prefixes its ids and the references to them, so two diagrams on a page do not collide', () => {
    for (const id of ['mermaid-one', 'mermaid-two']) {
      const svg = svgOf(renderDiagram(flowchart, id).figure);
      const markers = elements(svg, 'marker').map((marker) => String(marker.properties.id));
      expect(markers.length).toBeGreaterThan(0);
      for (const marker of markers) expect(marker.startsWith(`${id}-`)).toBe(true);
      const references = JSON.stringify(svg).match(/url\(#[^)]+\)/g) ?? [];
      expect(references.length).toBeGreaterThan(0);
      for (const reference of references) expect(reference.startsWith(`url(#${id}-`)).toBe(true);
    }
  });

  it('describes the diagram in text: its edges and their labels, with start and end states named', () => {
    const svg = svgOf(renderDiagram(stateDiagram, 'mermaid-test').figure);
    const description = text(elements(svg, 'desc')[0] ?? svg);
    expect(description).toBe('start to Closed. Closed to Open: 5 failures within 1 minute. Open to end.');
    expect(svg.properties.ariaDescribedBy).toEqual(['mermaid-test-desc']);
    const sequence = text(elements(svgOf(renderDiagram(sequenceDiagram, 'mermaid-seq').figure), 'desc')[0] ?? svg);
    expect(sequence).toBe('Agent to Quota store: reserve. Quota store to Agent: reservation.');
  });

  it("takes the name and description from Mermaid's accTitle and accDescr, and never draws them as nodes", () => {
    const source = ['flowchart LR', '    accTitle: Tool calls on the record', '    accDescr {', '      Every call is recorded', '      before it runs.', '    }', '    A --> B'].join('\n');
    const { figure, name } = renderDiagram(source, 'mermaid-test');
    const svg = svgOf(figure);
    expect(name).toBe('Tool calls on the record');
    expect(text(elements(svg, 'title')[0] ?? svg)).toBe('Tool calls on the record');
    expect(text(elements(svg, 'desc')[0] ?? svg)).toBe('Every call is recorded before it runs.');
    const drawn = elements(svg, 'text').map(text);
    expect(drawn).toEqual(['A', 'B']);
    expect(text(elements(figure, 'figcaption')[0] ?? figure)).toBe('Tool calls on the record');
  });

  it('reads a front matter title as the caption', () => {
    expect(parseFence('---\ntitle: "Breaker states"\n---\nstateDiagram-v2\n  [*] --> Closed')).toEqual({
      body: 'stateDiagram-v2\n  [*] --> Closed',
      title: 'Breaker states',
    });
  });

  it('keeps a long derived name short', () => {
    const nodes = Array.from({ length: 30 }, (_, index) => `    N${index}["Step number ${index} of the long process"]`);
    const { name } = renderDiagram(['flowchart TD', ...nodes].join('\n'), 'mermaid-test');
    expect(name.length).toBeLessThanOrEqual(161);
    expect(name.endsWith('…')).toBe(true);
  });

  it('rounds coordinates but leaves the words of a label as written', () => {
    expect(roundGeometry('<polyline points="1.23456,7.891011 2,3" data-label="wait 0.12345 s"/><text x="10.98765">ratio 0.33333</text>')).toBe(
      '<polyline points="1.23,7.89 2,3" data-label="wait 0.12345 s"/><text x="10.99">ratio 0.33333</text>',
    );
  });

  it('writes the renderer\'s CSS onto the elements it selects and refuses selectors it cannot', () => {
    const rules = parseStyle("@import url('https://example.org/font.css');\n  text { font-family: 'Inter', sans-serif; }\n  svg { --x: 1; }\n  .mono { font-family: 'JetBrains Mono', monospace; }\n  path.series, line.series { stroke: var(--x); }");
    const svg: Element = {
      type: 'element',
      tagName: 'svg',
      properties: { style: '--bg:white' },
      children: [
        { type: 'element', tagName: 'text', properties: { className: ['mono'] }, children: [] },
        { type: 'element', tagName: 'path', properties: { className: ['series'] }, children: [] },
        { type: 'element', tagName: 'circle', properties: { className: ['series'] }, children: [] },
      ],
    };
    applyStyle(svg, rules);
    const [mono, path, circle] = svg.children as Element[];
    expect(svg.properties.style).toBe('--bg:white;--x: 1;font-family:var(--site-diagram-font)');
    expect(mono?.properties.style).toBe('font-family:var(--ifm-font-family-monospace)');
    expect(path?.properties.style).toBe('stroke: var(--x)');
    expect(circle?.properties.style).toBeUndefined();
    expect(() => parseStyle('.tip:hover { opacity: 1; }')).toThrow(/cannot write onto elements/);
    expect(() => parseStyle('@media print { svg { display: none; } }')).toThrow(/cannot write onto elements|unexpected CSS/);
  });
});

describe('the remark plugin', () => {
  function tree(...codes: Code[]): Root {
    return { type: 'root', children: [{ type: 'heading', depth: 1, children: [{ type: 'text', value: 'Page' }] }, ...codes] };
  }
  function fence(value: string, line: number, lang = 'mermaid'): Code {
    return { type: 'code', lang, value, position: { start: { line, column: 1 }, end: { line: line + 3, column: 4 } } };
  }
  const file = { path: path.join(repoRoot, 'docs/factors/11-fail-safe-checks.md') };

  it('replaces each mermaid fence with a figure and leaves other code blocks alone', () => {
    const root = tree(fence(stateDiagram, 10), fence('const x = 1;', 20, 'ts'), fence(flowchart, 30));
    remarkMermaidSvg({ rootDir: repoRoot })(root, file);
    const [, first, code, second] = root.children as unknown as [unknown, MermaidDiagramNode, Code, MermaidDiagramNode];
    expect(code.type).toBe('code');
    const ids = [first, second].map((node) => {
      expect(node).toMatchObject({ type: 'mdxJsxFlowElement', name: 'figure', children: [] });
      const attributes = Object.fromEntries(node.attributes.map((attribute) => [attribute.name, attribute.value]));
      expect(attributes).toMatchObject({ className: 'mermaid-diagram', tabIndex: '0' });
      const html = attributes.dangerouslySetInnerHTML;
      if (typeof html !== 'object') throw new Error('no inner HTML');
      expect(html.value).toMatch(/^\{__html: "<svg /);
      const id = /<svg [^>]*\bid=\\"(mermaid-[0-9a-f]+)\\"/.exec(html.value)?.[1];
      expect(attributes['aria-labelledby']).toBe(`${id ?? ''}-title`);
      return id;
    });
    expect(new Set(ids).size).toBe(2);
  });

  it('hands MDX the inner HTML as a parsed expression, so the page carries the SVG as one string', () => {
    const node = figureNode(renderDiagram(flowchart, 'mermaid-test').figure);
    const inner = node.attributes.find((attribute) => attribute.name === 'dangerouslySetInnerHTML')?.value;
    if (typeof inner !== 'object') throw new Error('no inner HTML');
    const html = (inner.data.estree as { body: { expression: { properties: { value: { value: string } }[] } }[] }).body[0]?.expression.properties[0]?.value.value ?? '';
    expect(inner.value).toBe(`{__html: ${JSON.stringify(html)}}`);
    expect(html).toMatch(/^<svg [^>]*role="img"[^>]*><title id="mermaid-test-title">Flowchart: /);
    expect(html).toContain('</svg>');
  });

  it('gives the figure its height at the smallest scale, as a style MDX compiles to a custom property', () => {
    const { figure, height } = renderDiagram(flowchart, 'mermaid-test');
    const expected = `${Math.ceil(height * minimumScale)}px`;
    expect(figure.properties.style).toBe(`--diagram-height:${expected}`);
    const style = figureNode(figure).attributes.find((attribute) => attribute.name === 'style')?.value;
    if (typeof style !== 'object') throw new Error('no style attribute');
    expect(style.value).toBe(`{${JSON.stringify({ '--diagram-height': expected })}}`);
    const object = (style.data.estree as { body: { expression: { type: string; properties: { key: { value: string }; value: { value: string } }[] } }[] }).body[0]?.expression;
    expect(object?.type).toBe('ObjectExpression');
    expect(object?.properties.map((property) => [property.key.value, property.value.value])).toEqual([['--diagram-height', expected]]);
  });

  it('fails the build naming the file, relative to the repository, and the line of the fence', () => {
    expect(() => remarkMermaidSvg({ rootDir: repoRoot })(tree(fence('pie\n  "a": 1', 51)), file)).toThrow(
      /^docs\/factors\/11-fail-safe-checks\.md:51: the Mermaid diagram in this fence cannot be rendered to SVG: .*pie/,
    );
    expect(() => remarkMermaidSvg({ rootDir: repoRoot })(tree(fence('  \n', 7)), file)).toThrow(/11-fail-safe-checks\.md:7: .*empty/);
  });
});

describe('the diagrams of this repository', () => {
  const fences = markdownWithMermaid();

  it('include flowcharts, sequence and state diagrams', () => {
    const kinds = new Set(fences.map(({ value }) => value.trim().split(/\s/)[0]));
    for (const kind of ['flowchart', 'sequenceDiagram', 'stateDiagram-v2']) expect(kinds.has(kind), kind).toBe(true);
  });

  it.each(fences.map((fence) => [`${fence.file}:${fence.line}`, fence] as const))('%s renders with a name', (_, { value }) => {
    const { name, width, height } = renderDiagram(value, 'mermaid-doc');
    expect(name.length).toBeGreaterThan(5);
    expect(width * height).toBeGreaterThan(0);
  });
});
