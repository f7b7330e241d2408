import { GitopsError } from '../errors/gitops-error.js';

/**
 * Refuses to find, install or build any toolchain piece when `GITOPS_NO_TOOLCHAIN=1`. The unit
 * test tier sets it: a test that reaches the engine fails at once instead of building the CLI
 * for minutes. A CI job that must never run the engine can set it too.
 */
export function assertToolchainAllowed(env: NodeJS.ProcessEnv, what: string): void {
  if (env.GITOPS_NO_TOOLCHAIN !== '1') return;
  throw new GitopsError({
    code: 'TOOLCHAIN_MISSING',
    kind: 'external',
    message: `${what} is not available: GITOPS_NO_TOOLCHAIN=1 forbids finding, installing or building the Pulumi toolchain`,
    hint: 'unset GITOPS_NO_TOOLCHAIN; in the test suite, move the test to the e2e or kubernetes tier',
  });
}
