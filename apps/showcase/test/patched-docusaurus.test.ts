// The patch in patches/@docusaurus__plugin-content-docs@3.10.2.patch replaces localeCompare in
// getActivePlugin's sort with code-unit order. The sort exists so that a page under several
// plugins' paths goes to the most specific one ('/docs/api' before '/docs'); this holds that
// guarantee for any paths, not only this site's two.
import { getActivePlugin } from '@docusaurus/plugin-content-docs/lib/client/docsClientUtils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Path segments as a site may have them: letters of any case and script, digits, hyphens.
const segment = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,5}$/).chain((ascii) => fc.constantFrom(ascii, `${ascii}é`, `Ü${ascii}`, `${ascii}文档`));
const path = fc.array(segment, { minLength: 0, maxLength: 3 }).map((segments) => `/${segments.join('/')}`);

/** The plugin whose path is the longest whole-segment prefix of `pathname`, as the sort intends. */
function mostSpecific(paths: readonly string[], pathname: string): string | undefined {
  const matching = paths.filter((candidate) => candidate === '/' || pathname === candidate || pathname.startsWith(`${candidate}/`));
  return matching.sort((a, b) => b.length - a.length)[0];
}

describe('getActivePlugin, patched to sort by code unit', () => {
  it('picks the plugin with the most specific path that contains the page, whatever the plugins and their order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(path, { minLength: 1, maxLength: 6 }), fc.nat(), fc.array(segment, { maxLength: 2 }), (paths, pick, extra) => {
        const base = paths[pick % paths.length] as string;
        const pathname = [base === '/' ? '' : base, ...extra].join('/') || '/';
        const plugins = Object.fromEntries(paths.map((pluginPath, index) => [`plugin-${index}`, { path: pluginPath }]));
        const active = getActivePlugin(plugins as never, pathname);
        expect(active?.pluginData.path).toBe(mostSpecific(paths, pathname));
      }),
      { numRuns: 500 },
    );
  });

  it('builds no ICU collator while choosing', () => {
    const localeCompare = String.prototype.localeCompare;
    let calls = 0;
    String.prototype.localeCompare = function (this: string, ...args: Parameters<typeof localeCompare>) {
      calls += 1;
      return localeCompare.apply(this, args);
    };
    try {
      getActivePlugin({ docs: { path: '/docs' }, examples: { path: '/examples' }, api: { path: '/docs/api' } } as never, '/docs/api/x');
    } finally {
      String.prototype.localeCompare = localeCompare;
    }
    expect(calls).toBe(0);
  });
});
