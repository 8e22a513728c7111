// The browser suite: the built site, served on loopback, driven in Debian's Chromium.
import { defineConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    ...shared.test,
    include: ['browser/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // One Chromium at a time: the machines have two cores.
    fileParallelism: false,
  },
});
