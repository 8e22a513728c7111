import fc from 'fast-check';
import type { Code, Root } from 'mdast';
import { describe, expect, it } from 'vitest';
import { darkCodeTheme, lightCodeTheme } from '../plugins/prism-themes.ts';
import remarkPrerenderedCode, { highlightToHtml, prerenderedCodeCss, titleOf } from '../plugins/prerendered-code.ts';
import type { PrerenderedCodeNode } from '../plugins/prerendered-code.ts';

/** The text a browser shows for the HTML: tags removed, the five entities the renderer writes decoded. */
function textOf(html: string): string {
  return html
    .replace(/<br>/g, '')
    .replace(/<\/div>(?=<div)/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function fence(lang: string | null, value: string, meta: string | null = null): Code {
  return { type: 'code', lang, meta, value };
}

function run(children: Code[]): Root['children'] {
  const tree: Root = { type: 'root', children };
  remarkPrerenderedCode()(tree);
  return tree.children;
}

function attribute(node: PrerenderedCodeNode, name: string): string | undefined {
  return node.attributes.find((item) => item.name === name)?.value;
}

describe('highlightToHtml', () => {
  it('gives each line its own div.token-line and each token the classes of its types', () => {
    const html = highlightToHtml('const limit = 5;\n// spent', 'ts');
    expect(html.match(/<div class="token-line">/g)).toHaveLength(2);
    expect(html).toContain('<span class="token keyword">const</span>');
    expect(html).toContain('<span class="token number">5</span>');
    expect(html).toContain('<span class="token comment">// spent</span>');
  });

  it('escapes markup in code, so a fence can never inject an element', () => {
    const html = highlightToHtml('if (a < b && c > "d") {}\n<script>alert(1)</script>', 'ts');
    expect(html).not.toContain('<script');
    expect(highlightToHtml('<script>', 'text')).toBe('<div class="token-line"><span class="token plain">&lt;script&gt;</span><br></div>');
    expect(textOf(html)).toBe('if (a < b && c > "d") {}\n<script>alert(1)</script>');
  });

  it('renders a language Prism does not know (sh, text, none) as plain lines', () => {
    const html = highlightToHtml('npx -y pnpm@10.34.8 test\n\necho done', 'sh');
    expect(html.match(/<div class="token-line">/g)).toHaveLength(3);
    expect(html).not.toMatch(/token (?!plain)/);
    expect(textOf(html)).toBe('npx -y pnpm@10.34.8 test\n\necho done');
  });

  it('keeps every character of any code, in any language, in order (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('ts', 'yaml', 'json', 'sql', 'markdown', 'sh', 'text'), (code, language) => {
        const normalised = code.replace(/\r\n?/g, '\n');
        expect(textOf(highlightToHtml(normalised, language))).toBe(normalised);
      }),
    );
  });
});

describe('remarkPrerenderedCode', () => {
  it('turns a fence into a PrerenderedCode element with its language, title, code and HTML', () => {
    const [node] = run([fence('ts', 'let x = 1;', 'title="src/x.ts"')]) as unknown as [PrerenderedCodeNode];
    expect(node.type).toBe('mdxJsxFlowElement');
    expect(node.name).toBe('PrerenderedCode');
    expect(attribute(node, 'language')).toBe('ts');
    expect(attribute(node, 'title')).toBe('src/x.ts');
    expect(attribute(node, 'code')).toBe('let x = 1;');
    expect(attribute(node, 'html')).toBe(highlightToHtml('let x = 1;', 'ts'));
  });

  it('reads a fence without a language as text, and one without a title with no title attribute', () => {
    const [node] = run([fence(null, 'plain words')]) as unknown as [PrerenderedCodeNode];
    expect(attribute(node, 'language')).toBe('text');
    expect(attribute(node, 'title')).toBeUndefined();
  });

  it('leaves Mermaid fences as they are', () => {
    const mermaid = fence('mermaid', 'flowchart LR\n  A --> B');
    expect(run([{ ...mermaid }])).toEqual([mermaid]);
  });

  it('fails the build on a fence that asks for what it does not draw, naming file, line and option', () => {
    const cases: [Code, RegExp][] = [
      [fence('ts', 'a();', 'showLineNumbers'), /line numbers \(showLineNumbers\)/],
      [fence('ts', 'a();\nb();', '{2}'), /highlighted lines \(\{2\}\)/],
      [fence('ts', '// highlight-next-line\na();'), /a highlight magic comment/],
    ];
    for (const [node, reason] of cases) {
      const tree: Root = { type: 'root', children: [{ ...node, position: { start: { line: 12, column: 1 }, end: { line: 14, column: 4 } } }] };
      expect(() => remarkPrerenderedCode({ rootDir: '/repo' })(tree, { path: '/repo/docs/factors/x.md' })).toThrow(reason);
      expect(() => remarkPrerenderedCode({ rootDir: '/repo' })(tree, { path: '/repo/docs/factors/x.md' })).toThrow(/^docs\/factors\/x\.md:12: this code fence asks for /);
    }
  });

  it('reaches fences nested in lists and quotes', () => {
    const tree: Root = { type: 'root', children: [{ type: 'blockquote', children: [fence('yaml', 'a: 1')] }] };
    remarkPrerenderedCode()(tree);
    expect((tree.children[0] as unknown as { children: PrerenderedCodeNode[] }).children[0]?.name).toBe('PrerenderedCode');
  });
});

describe('titleOf', () => {
  it('reads a single- or double-quoted title and nothing else', () => {
    expect(titleOf('title="a b.ts"')).toBe('a b.ts');
    expect(titleOf("showLineNumbers title='c.ts'")).toBe('c.ts');
    expect(titleOf('title=unquoted')).toBeUndefined();
    expect(titleOf(null)).toBeUndefined();
  });
});

describe('prerenderedCodeCss', () => {
  const css = prerenderedCodeCss({ light: lightCodeTheme, dark: darkCodeTheme });

  it('colours every token type of both themes, light at the root and dark under [data-theme=dark]', () => {
    for (const [scope, theme] of [[':root', lightCodeTheme], ["[data-theme='dark']", darkCodeTheme]] as const) {
      expect(css).toContain(`${scope} .prerendered-code{--prism-color:${theme.plain.color};--prism-background-color:${theme.plain.backgroundColor};`);
      for (const style of theme.styles) {
        expect(css).toContain(`${scope} .prerendered-code .token:is(${style.types.map((type) => `.${type}`).join(',')}){color:${style.style.color}`);
      }
    }
  });

  it('puts every dark rule after every light rule, so the dark theme wins when it is on', () => {
    const lines = css.split('\n');
    const lastLight = lines.length - 1 - [...lines].reverse().findIndex((line) => line.startsWith(':root'));
    const firstDark = lines.findIndex((line) => line.startsWith('[data-theme'));
    expect(lastLight).toBeLessThan(firstDark);
  });
});
