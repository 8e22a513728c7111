// The classic theme loads a client module on every page that imports prism-react-renderer and
// registers `themeConfig.prism.additionalLanguages` with it. Importing prism-react-renderer
// builds all of its bundled grammars (each language's `insertBefore` walks every language
// defined before it), which a CPU profile of the landing page showed taking 90–140 ms of the
// main thread on this project's machines, before the page can respond. This site highlights
// every code fence at build time (prerendered-code.ts) and adds no languages, so the module is
// replaced by an empty one. Prism then loads only with the theme's own code block, the fallback
// for fences the build does not prerender.
import path from 'node:path';
import type { LoadContext, Plugin } from '@docusaurus/types';

/** The theme's client module, and only it (not the swizzlable `lib/theme/prism-include-languages.js`). */
export const themePrismClientModule = /@docusaurus[\\/]theme-classic[\\/]lib[\\/]prism-include-languages\.js$/;

export default function noClientPrism(context: LoadContext): Plugin {
  const { additionalLanguages } = (context.siteConfig.themeConfig as { prism?: { additionalLanguages?: readonly string[] } }).prism ?? {};
  if (additionalLanguages !== undefined && additionalLanguages.length > 0) {
    throw new Error(
      `themeConfig.prism.additionalLanguages (${additionalLanguages.join(', ')}) needs the theme's Prism client module, which plugins/no-client-prism.ts removes: remove that plugin, or highlight those languages at build time instead.`,
    );
  }
  return {
    name: 'no-client-prism',
    configureWebpack(_config, isServer, { currentBundler }) {
      if (isServer) return {};
      return {
        plugins: [new currentBundler.instance.NormalModuleReplacementPlugin(themePrismClientModule, path.join(context.siteDir, 'src', 'no-prism-languages.ts'))],
      };
    },
  };
}
