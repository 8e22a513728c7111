import { createRequire } from 'node:module';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// One throwaway PostgreSQL server for the whole run (sql's global setup). Test files share their
// worker's modules (isolate: false), so the suites that run on PGlite compile its WebAssembly
// once per worker rather than once per file (test/support/stores.ts).
const globalSetup = createRequire(import.meta.url).resolve('@12-factor-agentops/sql/testing/global-setup');
export default mergeConfig(shared, defineConfig({ test: { globalSetup: [globalSetup], isolate: false } }));
