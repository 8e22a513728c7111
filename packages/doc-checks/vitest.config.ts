import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The fixture repository holds a package with its own test file; it is data for the checks, not a test of this package.
export default mergeConfig(shared, defineConfig({ test: { exclude: ['test/fixtures/**', '**/node_modules/**'] } }));
