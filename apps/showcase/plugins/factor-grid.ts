// Derives the landing page's factor grid from docs/factors/*.md at build time, so the site
// never keeps a second, hand-typed list of the twelve factors.
import path from 'node:path';
import type { LoadContext, Plugin } from '@docusaurus/types';
import { readFactors, type FactorSummary } from '@12-factor-agentops/doc-checks';

export interface FactorGridOptions {
  /** The docs tree, relative to the site folder (the one the docs plugin reads). */
  readonly docsDir: string;
}

export interface FactorGridData {
  readonly factors: readonly FactorSummary[];
}

function isFactorGridOptions(options: unknown): options is FactorGridOptions {
  return typeof options === 'object' && options !== null && typeof (options as { docsDir?: unknown }).docsDir === 'string';
}

export default function factorGridPlugin(context: LoadContext, options: unknown): Plugin<FactorSummary[]> {
  if (!isFactorGridOptions(options)) {
    throw new Error('The factor-grid plugin needs { docsDir: string }, the docs tree relative to the site folder.');
  }
  const docsDir = path.resolve(context.siteDir, options.docsDir);
  return {
    name: 'factor-grid',
    loadContent() {
      return Promise.resolve(readFactors(docsDir));
    },
    contentLoaded({ content, actions }) {
      const data: FactorGridData = { factors: content };
      actions.setGlobalData(data);
      return Promise.resolve();
    },
    getPathsToWatch() {
      return [path.join(docsDir, 'factors', '*.md')];
    },
  };
}
