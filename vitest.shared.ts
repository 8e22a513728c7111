// The one vitest setup of the repository: every package's vitest.config.ts re-exports it,
// so test discovery, timeouts and reporters are the same everywhere.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Generous: the property and multi-process suites share two cores with the other packages
    // under turbo; a hung test still fails, and speed is measured in benchmarks, not here.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // A focused test (it.only) must never let the rest of a suite pass unseen.
    allowOnly: false,
  },
});
