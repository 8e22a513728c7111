import { createRequire } from 'node:module';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// One throwaway PostgreSQL server for the whole run, wired exactly as another package wires it.
const globalSetup = createRequire(import.meta.url).resolve('@12-factor-agentops/sql/testing/global-setup');

// The files run one after another in one worker (isolate: false, maxWorkers: 1): PGlite's
// WebAssembly is compiled once, and the PGlite suites share one instance, each in its own
// schema. Running them in parallel was 5 s faster alone but cost 6 s more CPU, and in the
// repository's test run, where every package's tests share two cores, CPU is what counts.
export default mergeConfig(shared, defineConfig({ test: { globalSetup: [globalSetup], isolate: false, maxWorkers: 1 } }));
