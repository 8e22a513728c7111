import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config, PluginModule } from '@docusaurus/types';
import type * as Preset from '@docusaurus/preset-classic';
import { themes as prismThemes } from 'prism-react-renderer';
import remarkGithubAdmonitionsToDirectives from 'remark-github-admonitions-to-directives';
import { siteLocationFromEnv } from './site-env.ts';
import factorGrid from './plugins/factor-grid.ts';
import rehypeTaskListLabels from './plugins/rehype-task-list-labels.ts';
import { crossInstanceRoute, examplesRouteBase, patternPackages } from './plugins/routes.ts';

const { url, baseUrl } = siteLocationFromEnv(process.env);

// docs/ and the package READMEs are read in place: the Markdown is the single source,
// written for GitHub first. Nothing is copied into the site.
const siteDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(siteDir, '../..');
const docsPath = '../../docs';
const packagesPath = '../../packages';
const remarkPlugins = { beforeDefaultRemarkPlugins: [remarkGithubAdmonitionsToDirectives], rehypePlugins: [rehypeTaskListLabels] };

const config: Config = {
  title: '12-Factor AgentOps',
  tagline: 'Twelve principles for running AI agents as reliable infrastructure',
  favicon: 'img/favicon.svg',
  url,
  baseUrl,
  trailingSlash: false,
  onBrokenLinks: 'throw',
  onBrokenAnchors: 'throw',
  onDuplicateRoutes: 'throw',
  future: {
    v4: true,
    faster: true,
  },
  markdown: {
    // Plain .md stays CommonMark + GFM (no MDX), exactly as GitHub reads it.
    format: 'detect',
    hooks: {
      // A link from docs/ to a package README (or back) crosses docs instances, which
      // Docusaurus does not resolve by itself; every other broken link fails the build.
      onBrokenMarkdownLinks: ({ sourceFilePath, url }) => {
        const route = crossInstanceRoute(repoRoot, path.resolve(siteDir, sourceFilePath), url);
        if (route === undefined) {
          throw new Error(`Broken Markdown link in ${sourceFilePath}: "${url}" points to no page. Fix the relative path.`);
        }
        return route;
      },
      onBrokenMarkdownImages: 'throw',
    },
  },
  i18n: { defaultLocale: 'en', locales: ['en'] },
  plugins: [
    // Docusaurus types plugin content as unknown; the grid plugin's content is its own.
    [factorGrid as PluginModule, { docsDir: docsPath }],
    [
      '@docusaurus/plugin-content-docs',
      {
        id: 'examples',
        path: packagesPath,
        routeBasePath: examplesRouteBase,
        sidebarPath: './sidebars-examples.ts',
        // Only the pattern packages' READMEs; `*/README.md` never reaches into node_modules.
        include: patternPackages(path.resolve(siteDir, packagesPath)).map((name) => `${name}/README.md`),
        ...remarkPlugins,
      },
    ],
  ],
  presets: [
    [
      'classic',
      {
        docs: {
          path: docsPath,
          routeBasePath: 'docs',
          sidebarPath: './sidebars.ts',
          exclude: ['**/node_modules/**', '**/CHANGELOG.md'],
          ...remarkPlugins,
          showLastUpdateTime: false,
        },
        blog: false,
        theme: {
          customCss: './src/css/custom.css',
        },
      } satisfies Preset.Options,
    ],
  ],
  themeConfig: {
    colorMode: {
      defaultMode: 'light',
      respectPrefersColorScheme: true,
    },
    navbar: {
      title: '12-Factor AgentOps',
      logo: { alt: '', src: 'img/favicon.svg' },
      items: [
        { to: '/docs/factors', label: 'Factors', position: 'left' },
        { to: '/docs', label: 'Introduction', position: 'left' },
        { type: 'docSidebar', docsPluginId: 'examples', sidebarId: 'examples', label: 'Examples', position: 'left' },
      ],
    },
    footer: {
      style: 'dark',
      links: [
        {
          title: 'Framework',
          items: [
            { label: 'Introduction', to: '/docs' },
            { label: 'The twelve factors', to: '/docs/factors' },
          ],
        },
      ],
      copyright: 'Framework text CC BY-SA 4.0 · Example code Apache-2.0',
    },
    prism: {
      theme: prismThemes.oneLight,
      darkTheme: prismThemes.oneDark,
    },
  } satisfies Preset.ThemeConfig,
};

export default config;
