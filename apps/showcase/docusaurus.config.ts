import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config, PluginModule } from '@docusaurus/types';
import type * as Preset from '@docusaurus/preset-classic';
import type { PluginOptions as SearchOptions } from '@easyops-cn/docusaurus-search-local';
import remarkGithubAdmonitionsToDirectives from 'remark-github-admonitions-to-directives';
import { siteLocationFromEnv } from './site-env.ts';
import docsLayoutChunk from './plugins/docs-layout-chunk.ts';
import factorGrid from './plugins/factor-grid.ts';
import llmsTxt from './plugins/llms-txt.ts';
import { darkCodeTheme, lightCodeTheme } from './plugins/prism-themes.ts';
import remarkMermaidSvg from './plugins/mermaid-svg.ts';
import noClientPrism from './plugins/no-client-prism.ts';
import remarkPrerenderedCode, { prerenderedCodeCss } from './plugins/prerendered-code.ts';
import rehypeTaskListLabels from './plugins/rehype-task-list-labels.ts';
import remarkTableRows from './plugins/table-rows.ts';
import { hasReleaseNotes, isChangelog, releaseNotesFrontMatter, releaseNotesLast, releaseNotesMarkdown, releaseNotesSlug, releaseNotesTitle } from './plugins/release-notes.ts';
import { crossInstanceRoute, docsRouteBase, examplePackages, examplesRouteBase } from './plugins/routes.ts';
import { frameworkOrder } from './plugins/sidebar-order.ts';

const { url, baseUrl } = siteLocationFromEnv(process.env);

// docs/ and the package READMEs are read in place: the Markdown is the single source,
// written for GitHub first. Nothing is copied into the site.
const siteDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(siteDir, '../..');
const docsPath = '../../docs';
const packagesPath = '../../packages';
const docsDir = path.resolve(siteDir, docsPath);
const packagesDir = path.resolve(siteDir, packagesPath);
const sitePackages = examplePackages(packagesDir);
// Every docs instance reads GitHub Markdown: alerts become admonitions, Mermaid fences become
// inline SVG at build time (no Mermaid code in the browser), code fences are highlighted at
// build time (no token elements to hydrate), tables carry their row count (the space they
// reserve before they are drawn), task-list boxes get labels.
const markdownPlugins = {
  beforeDefaultRemarkPlugins: [remarkGithubAdmonitionsToDirectives, [remarkMermaidSvg, { rootDir: repoRoot }], [remarkPrerenderedCode, { rootDir: repoRoot }], remarkTableRows],
  rehypePlugins: [rehypeTaskListLabels],
};
// docs/CHANGELOG.md, once changesets writes it, is the "Release notes" page, last in the sidebar.
const releaseNotes = hasReleaseNotes(docsDir);

const search = {
  // The index is built from the static pages and served with them: no hosted service.
  docsRouteBasePath: [docsRouteBase, examplesRouteBase],
  // Read only to hash the index file name, so a changed page is never served a stale index.
  docsDir: [docsPath, ...sitePackages.map((name) => `${packagesPath}/${name}`)],
  indexBlog: false,
  indexPages: false,
  hashed: 'filename',
  language: ['en'],
  explicitSearchResultPath: true,
  highlightSearchTermsOnTargetPage: false,
  searchBarShortcutHint: false,
} satisfies SearchOptions;

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
    // The changelog keeps the heading changesets writes; the site titles it "Release notes".
    preprocessor: ({ filePath, fileContent }) => (isChangelog(docsDir, filePath) ? releaseNotesMarkdown(fileContent) : fileContent),
    parseFrontMatter: async (params) => {
      const result = await params.defaultParseFrontMatter(params);
      return isChangelog(docsDir, params.filePath) ? { ...result, frontMatter: releaseNotesFrontMatter(result.frontMatter) } : result;
    },
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
    // No Prism grammars built in the browser on every page: code is highlighted at build time.
    noClientPrism as PluginModule,
    // One chunk for the layout every docs page shares, instead of six scripts to start.
    docsLayoutChunk as PluginModule,
    // The colours of code highlighted at build time, per colour mode, from the same themes.
    () => ({
      name: 'prerendered-code-colours',
      injectHtmlTags: () => ({ headTags: [{ tagName: 'style', innerHTML: prerenderedCodeCss({ light: lightCodeTheme, dark: darkCodeTheme }) }] }),
    }),
    // Docusaurus types plugin content as unknown; the grid plugin's content is its own.
    [factorGrid as PluginModule, { docsDir: docsPath }],
    [llmsTxt as PluginModule, { docsDir: docsPath, packagesDir: packagesPath }],
    [
      '@docusaurus/plugin-content-docs',
      {
        id: 'examples',
        path: packagesPath,
        routeBasePath: examplesRouteBase,
        sidebarPath: './sidebars-examples.ts',
        // Only the READMEs of the pattern packages and the building blocks; naming each
        // README never reaches into node_modules or a tooling package.
        include: sitePackages.map((name) => `${name}/README.md`),
        ...markdownPlugins,
      },
    ],
  ],
  themes: [['@easyops-cn/docusaurus-search-local', search]],
  presets: [
    [
      'classic',
      {
        docs: {
          path: docsPath,
          routeBasePath: docsRouteBase,
          sidebarPath: './sidebars.ts',
          exclude: ['**/node_modules/**'],
          sidebarItemsGenerator: async ({ defaultSidebarItemsGenerator, ...args }) => releaseNotesLast(frameworkOrder(await defaultSidebarItemsGenerator(args))),
          ...markdownPlugins,
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
        // Active on the introduction itself, not on every page below /docs.
        { to: '/docs', label: 'Introduction', position: 'left', activeBaseRegex: '/docs/?$' },
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
            ...(releaseNotes ? [{ label: releaseNotesTitle, to: `/${docsRouteBase}${releaseNotesSlug}` }] : []),
          ],
        },
        {
          title: 'For tools',
          items: [
            { label: 'llms.txt', to: 'pathname:///llms.txt' },
            { label: 'llms-full.txt', to: 'pathname:///llms-full.txt' },
          ],
        },
      ],
      copyright: 'Framework text CC BY-SA 4.0 · Example code Apache-2.0',
    },
    prism: {
      theme: lightCodeTheme,
      darkTheme: darkCodeTheme,
    },
  } satisfies Preset.ThemeConfig,
};

export default config;
