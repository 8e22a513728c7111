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

export default function factorGridPlugin(context: LoadContext, options: FactorGridOptions): Plugin<FactorSummary[]> {
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
