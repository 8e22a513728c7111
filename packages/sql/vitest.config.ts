import { createRequire } from 'node:module';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// One throwaway PostgreSQL server for the whole run, wired exactly as another package wires it.
const globalSetup = createRequire(import.meta.url).resolve('@12-factor-agentops/sql/testing/global-setup');

// Files share their worker (isolate: false): PGlite's WebAssembly is compiled once per worker
// instead of once per file. Every suite opens its own database, so no state is shared.
export default mergeConfig(shared, defineConfig({ test: { globalSetup: [globalSetup], isolate: false, maxWorkers: 2 } }));
