import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contrastRatio } from '../plugins/contrast.ts';
import { darkPalette, lightPalette } from '../plugins/prism-themes.ts';

const css = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/css/custom.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

/** The --site-diagram-* colours of one block of custom.css (`:root` or the dark theme). */
function diagramColours(selector: string): Record<string, string> {
  const blocks = [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].filter((match) => match[1]?.trim() === selector && match[2]?.includes('--site-diagram-'));
  expect(blocks, `one ${selector} block with diagram colours`).toHaveLength(1);
  return Object.fromEntries([...(blocks[0]?.[2] ?? '').matchAll(/--site-diagram-([a-z]+):\s*(#[0-9a-f]{6})/gi)].map((match) => [match[1] ?? '', match[2] ?? '']));
}

describe('code highlighting colours', () => {
  for (const [mode, palette] of [
    ['light', lightPalette],
    ['dark', darkPalette],
  ] as const) {
    it(`keep every token at 4.5:1 or more on the ${mode} code background (WCAG AA text)`, () => {
      for (const [token, colour] of Object.entries(palette)) {
        if (token === 'background') continue;
        expect(contrastRatio(colour, palette.background), token).toBeGreaterThanOrEqual(4.5);
      }
    });
  }
});

describe('diagram colours', () => {
  for (const [mode, selector] of [
    ['light', ':root'],
    ['dark', "[data-theme='dark']"],
  ] as const) {
    it(`keep text at 4.5:1 and lines and borders at 3:1 on the ${mode} diagram background and node fill`, () => {
      const colours = diagramColours(selector);
      for (const surface of [colours.bg, colours.surface]) {
        for (const text of [colours.fg, colours.muted]) expect(contrastRatio(text ?? '', surface ?? '')).toBeGreaterThanOrEqual(4.5);
        for (const graphic of [colours.line, colours.border, colours.accent]) expect(contrastRatio(graphic ?? '', surface ?? '')).toBeGreaterThanOrEqual(3);
      }
    });
  }

  it('are all defined in both modes', () => {
    expect(Object.keys(diagramColours(':root')).sort()).toEqual(['accent', 'bg', 'border', 'fg', 'line', 'muted', 'surface']);
    expect(Object.keys(diagramColours("[data-theme='dark']")).sort()).toEqual(Object.keys(diagramColours(':root')).sort());
  });
});
