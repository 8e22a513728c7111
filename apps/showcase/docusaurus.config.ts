import type { Config } from '@docusaurus/types';
import type * as Preset from '@docusaurus/preset-classic';
import { themes as prismThemes } from 'prism-react-renderer';
import remarkGithubAdmonitionsToDirectives from 'remark-github-admonitions-to-directives';
import { siteLocationFromEnv } from './site-env.ts';
import factorGrid from './plugins/factor-grid.ts';
import rehypeTaskListLabels from './plugins/rehype-task-list-labels.ts';

const { url, baseUrl } = siteLocationFromEnv(process.env);

// docs/ is read in place: the framework's Markdown is the single source, written for GitHub
// first. Nothing is copied into the site.
const docsPath = '../../docs';

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
      onBrokenMarkdownLinks: 'throw',
      onBrokenMarkdownImages: 'throw',
    },
  },
  i18n: { defaultLocale: 'en', locales: ['en'] },
  plugins: [[factorGrid, { docsDir: docsPath }]],
  presets: [
    [
      'classic',
      {
        docs: {
          path: docsPath,
          routeBasePath: 'docs',
          sidebarPath: './sidebars.ts',
          exclude: ['**/node_modules/**', '**/CHANGELOG.md'],
          beforeDefaultRemarkPlugins: [remarkGithubAdmonitionsToDirectives],
          rehypePlugins: [rehypeTaskListLabels],
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
