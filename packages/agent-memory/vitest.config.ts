import { createRequire } from 'node:module';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// One throwaway PostgreSQL server for the whole run, from the sql package's test helpers.
const globalSetup = createRequire(import.meta.url).resolve('@12-factor-agentops/sql/testing/global-setup');

// The files run one after another in one worker, as the sql package's do: PGlite's WebAssembly
// is compiled once and the PGlite suites share one instance, each in a schema of its own.
export default mergeConfig(shared, defineConfig({ test: { globalSetup: [globalSetup], isolate: false, maxWorkers: 1 } }));
