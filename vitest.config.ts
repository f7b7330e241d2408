import { defineConfig } from 'vitest/config';

// End-to-end tests run the real Pulumi engine; the global setup installs (or finds) the CLI
// first and fails the run if it cannot: no test skips for a missing toolchain.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Two cores: engine-heavy files run two at a time.
    maxWorkers: 2,
  },
});
