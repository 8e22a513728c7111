import { createRequire } from 'node:module';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

const require = createRequire(import.meta.url);

// `@docusaurus/router` exists only as a bundler alias of Docusaurus; the unit test of the patched
// docs client code (test/patched-docusaurus.test.ts) needs it resolved the same way, and that
// package processed by vitest rather than loaded by Node, so the alias applies inside it.
export default mergeConfig(
  shared,
  defineConfig({
    resolve: { alias: { '@docusaurus/router': require.resolve('@docusaurus/core/lib/client/exports/router.js') } },
    test: { server: { deps: { inline: [/@docusaurus[\\/]plugin-content-docs/] } } },
  }),
);
