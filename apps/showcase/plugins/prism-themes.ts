// Code highlighting colours of the site. The stock Prism themes put comments, strings and
// function names below the 4.5:1 contrast WCAG AA asks of text; every colour here is at
// least 4.5:1 on its code background (test/colours.test.ts checks it).
import type { PrismTheme } from 'prism-react-renderer';

interface Palette {
  readonly background: string;
  readonly text: string;
  readonly comment: string;
  readonly keyword: string;
  readonly string: string;
  readonly number: string;
  readonly function: string;
  readonly property: string;
  readonly punctuation: string;
  readonly regex: string;
}

export const lightPalette: Palette = {
  background: '#f6f8fa',
  text: '#1c1e21',
  comment: '#596068',
  keyword: '#8b1fa9',
  string: '#116329',
  number: '#9a4a00',
  function: '#0550ae',
  property: '#a3161a',
  punctuation: '#3a3f45',
  regex: '#8a4600',
};

export const darkPalette: Palette = {
  background: '#1e2228',
  text: '#e3e3e3',
  comment: '#9aa3ad',
  keyword: '#d7a3f5',
  string: '#8fd694',
  number: '#f0b37e',
  function: '#7cc4fa',
  property: '#ff9492',
  punctuation: '#c9d1d9',
  regex: '#f5c26b',
};

export function prismTheme(palette: Palette): PrismTheme {
  return {
    plain: { color: palette.text, backgroundColor: palette.background },
    styles: [
      { types: ['comment', 'prolog', 'doctype', 'cdata', 'doc-comment'], style: { color: palette.comment, fontStyle: 'italic' } },
      { types: ['keyword', 'atrule', 'selector', 'builtin', 'important'], style: { color: palette.keyword } },
      { types: ['string', 'char', 'attr-value', 'inserted', 'template-string'], style: { color: palette.string } },
      { types: ['number', 'boolean', 'constant', 'symbol', 'unit'], style: { color: palette.number } },
      { types: ['function', 'class-name', 'maybe-class-name', 'method'], style: { color: palette.function } },
      { types: ['property', 'tag', 'attr-name', 'key', 'deleted', 'namespace'], style: { color: palette.property } },
      { types: ['operator', 'punctuation', 'entity', 'url'], style: { color: palette.punctuation } },
      { types: ['regex', 'variable'], style: { color: palette.regex } },
    ],
  };
}

export const lightCodeTheme = prismTheme(lightPalette);
export const darkCodeTheme = prismTheme(darkPalette);
