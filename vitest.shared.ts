// The one vitest setup of the repository: every package's vitest.config.ts re-exports it,
// so test discovery, timeouts and reporters are the same everywhere.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // A focused test (it.only) must never let the rest of a suite pass unseen.
    allowOnly: false,
  },
});
