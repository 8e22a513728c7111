import { createRequire } from 'node:module';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// One throwaway PostgreSQL server for the whole run: the PostgreSQL stores are tested on it.
const globalSetup = createRequire(import.meta.url).resolve('@12-factor-agentops/sql/testing/global-setup');
export default mergeConfig(shared, defineConfig({ test: { globalSetup: [globalSetup] } }));
