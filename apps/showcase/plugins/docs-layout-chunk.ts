// Every docs page renders the same four route components: DocsRoot, DocVersionRoot, DocRoot
// and DocItem. Docusaurus gives each its own chunk, and the bundler splits the code they share
// into two more, so a docs page created and ran nine scripts to start, six of them the same on
// every docs page. The scripts are created inside the task that evaluates main.js (Docusaurus
// preloads the route's chunks there), the longest task a docs page runs before it responds.
// This plugin puts the four components, and all the code that only they use, into one chunk,
// `docs-layout`: a docs page now starts with four scripts. The landing page is unchanged.
import { simpleHash } from '@docusaurus/utils';
import type { Plugin } from '@docusaurus/types';

/** The route components every page of a docs plugin instance renders, outermost first. */
export const docsLayoutComponents = ['@theme/DocsRoot', '@theme/DocVersionRoot', '@theme/DocRoot', '@theme/DocItem'] as const;

/** The name of the file the docs layout is bundled into (`assets/js/docs-layout.<hash>.js`). */
export const docsLayoutChunk = 'docs-layout';

/**
 * The chunk names a production build gives the docs layout components: the first 8 characters
 * of a hash of the module path, as Docusaurus's route code generation names them.
 */
export function docsLayoutChunkNames(): Set<string> {
  return new Set(docsLayoutComponents.map((component) => simpleHash(component, 8)));
}

export default function docsLayoutChunkPlugin(): Plugin {
  return {
    name: 'docs-layout-chunk',
    configureWebpack(_config, isServer) {
      // The development server names chunks after their paths and serves them from memory:
      // only the production client bundle is regrouped.
      if (isServer || process.env.NODE_ENV !== 'production') return {};
      const names = docsLayoutChunkNames();
      return {
        optimization: {
          splitChunks: {
            cacheGroups: {
              // Above the theme's `common` group (40), below its single CSS file (50).
              docsLayout: { name: docsLayoutChunk, chunks: (chunk: { name?: string | null }) => names.has(chunk.name ?? ''), enforce: true, priority: 45 },
            },
          },
        },
      };
    },
  };
}
