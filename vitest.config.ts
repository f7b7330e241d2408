import { defineConfig } from 'vitest/config';

/**
 * Three tiers (vitest projects). `npm test` runs them all, one after another (fast feedback
 * first); `npm run test:unit` (`test:e2e`, `test:kubernetes`) runs one. Each tier's global setup
 * installs only what that tier needs, and fails the run if it cannot: no test skips for a
 * missing toolchain.
 *
 * - unit: pure and in-process tests. No global setup, no Pulumi CLI: it passes on a fresh
 *   machine with an empty HOME. `GITOPS_NO_TOOLCHAIN=1` makes any attempt to reach the
 *   toolchain fail at once (instead of building the CLI for minutes): such a test belongs to a
 *   tier below.
 * - e2e: the real Pulumi engine (the CLI only).
 * - kubernetes: the real engine against a real API server (CLI, Kubernetes provider, etcd,
 *   kube-apiserver).
 */
export const tierFolders = {
  unit: ['unit', 'affected', 'forge', 'programs', 'stacks', 'actions'],
  e2e: ['e2e', 'faults'],
  kubernetes: ['kubernetes'],
} as const;

const include = (folders: readonly string[]): string[] => folders.map((f) => `test/${f}/**/*.test.ts`);

export default defineConfig({
  test: {
    pool: 'forks',
    // Two cores: engine-heavy files run two at a time.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: include(tierFolders.unit),
          // Files of this tier share each worker's module cache: each would otherwise import
          // the SDKs it touches (Pulumi's automation API, AWS S3, Octokit, Gitbeaker) again, which
          // was two fifths of the tier's CPU time. Its tests keep no state between files (a
          // program test sets Pulumi's mocks before it runs).
          isolate: false,
          env: { GITOPS_NO_TOOLCHAIN: '1' },
          testTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: include(tierFolders.e2e),
          globalSetup: ['test/helpers/global-setup-e2e.ts'],
          testTimeout: 240_000,
          hookTimeout: 600_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'kubernetes',
          include: include(tierFolders.kubernetes),
          globalSetup: ['test/helpers/global-setup-kubernetes.ts'],
          testTimeout: 240_000,
          hookTimeout: 600_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
