import type { ErrorCode } from './gitops-error.js';
import { asGitopsError } from './gitops-error.js';

/** The CLI's exit codes. Documented in docs/cli.md (exit codes). */
export const ExitCode = {
  /** Everything succeeded. */
  Ok: 0,
  /** An operation failed (a program threw, a provider failed, the stack was locked...). */
  Failed: 1,
  /** Bad usage or invalid stack definitions: nothing ran. */
  Usage: 2,
  /** Drift left unremediated, or changes pending under `preview --detailed-exitcode`. */
  Changes: 3,
  /** Interrupted by SIGINT/SIGTERM. */
  Cancelled: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const usageCodes = new Set<ErrorCode>([
  'USAGE',
  'STACK_INVALID',
  'STACK_UNKNOWN',
  'PROGRAM_UNKNOWN',
  'DEPENDENCY_CYCLE',
  'DEPENDENCY_NOT_DEPLOYED',
  'PASSPHRASE_MISSING',
  'PASSPHRASE_INVALID',
  'HISTORY_MISSING',
  'DEPLOY_REFUSED',
  'SDK_CONFLICT',
  'FORGE_ACCESS',
  'POLICY_PACK',
]);

/** The one place where errors become exit codes. */
export function exitCodeFor(err: unknown): ExitCode {
  const error = asGitopsError(err);
  if (error.code === 'CANCELLED') return ExitCode.Cancelled;
  return usageCodes.has(error.code) ? ExitCode.Usage : ExitCode.Failed;
}

/**
 * Per-stack failures that are the user's input, met only once the stack ran: a passphrase the
 * pre-run check could not test (no `encryptionSalt` in the stack file; Pulumi reads the salt
 * from the state). They exit 2, like the same error found before anything ran.
 */
const stackUsageCodes = new Set<string>(['PASSPHRASE_MISSING', 'PASSPHRASE_INVALID', 'POLICY_PACK']);

/** Whether a stack's failure (its error code) is a usage error: exit 2. */
export function isStackUsageFailure(code: string | undefined): boolean {
  return code !== undefined && stackUsageCodes.has(code);
}

/** The exit code of a run from its per-stack outcomes: cancelled, then usage errors, then failed, then pending changes. */
export function exitCodeForOutcome(outcome: { cancelled: boolean; usage?: boolean; failed: boolean; changesLeft: boolean }): ExitCode {
  if (outcome.cancelled) return ExitCode.Cancelled;
  if (outcome.usage) return ExitCode.Usage;
  if (outcome.failed) return ExitCode.Failed;
  return outcome.changesLeft ? ExitCode.Changes : ExitCode.Ok;
}
