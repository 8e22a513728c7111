import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SidebarsConfig } from '@docusaurus/plugin-content-docs';
import { buildingBlockPackages, patternPackages } from './plugins/routes.ts';

// One entry per pattern package README, in folder order, then the building blocks they stand
// on, grouped. Both lists come from the packages' package.json files, never retyped here.
const packagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../packages');
const readme = (name: string) => ({ type: 'doc' as const, id: `${name}/README` });

const sidebars: SidebarsConfig = {
  examples: [
    ...patternPackages(packagesDir).map(readme),
    { type: 'category', label: 'Building blocks', collapsed: false, items: buildingBlockPackages(packagesDir).map(readme) },
  ],
};

export default sidebars;
