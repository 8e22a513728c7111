// The browser suite: the built site, served on loopback, driven in Debian's Chromium.
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['browser/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      // One Chromium at a time: the machines have two cores.
      fileParallelism: false,
    },
  }),
);
