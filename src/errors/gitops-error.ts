/**
 * The one error type of the framework. Every failure that reaches the CLI is a
 * GitopsError (or is wrapped into one), so the exit code is decided in one place:
 * {@link exitCodeFor}.
 */

/** Who is at fault: the user's input, something outside us (Pulumi, git, a forge), or us. */
export type ErrorKind = 'user' | 'external' | 'internal';

/** Stable codes. Tests and callers match on these, never on message text. */
export type ErrorCode =
  | 'USAGE'
  | 'STACK_INVALID'
  | 'STACK_UNKNOWN'
  | 'PROGRAM_UNKNOWN'
  | 'DEPENDENCY_CYCLE'
  /** A selected stack's dependency, left out of the selection, was never deployed: deploy it first or use `--with-deps`. */
  | 'DEPENDENCY_NOT_DEPLOYED'
  | 'PASSPHRASE_MISSING'
  | 'PASSPHRASE_INVALID'
  | 'STACK_LOCKED'
  /** A killed run left operations whose outcome is unknown: `gitops recover` settles them. */
  | 'PENDING_OPERATIONS'
  /** A run's provider died mid-create: those creates may exist untracked; `gitops recover --forget` settles them. */
  | 'UNKNOWN_OUTCOME'
  | 'PROGRAM_ERROR'
  | 'PROVIDER_ERROR'
  | 'ENGINE_ERROR'
  | 'CANCELLED'
  /** A stack's operation ran past its time limit (`GITOPS_OPERATION_TIMEOUT`) and was stopped. */
  | 'TIMED_OUT'
  | 'TOOLCHAIN_MISSING'
  /** `@pulumi/pulumi` is missing, or a second copy would load beside the driver's: one process holds one SDK. */
  | 'SDK_CONFLICT'
  | 'GIT_ERROR'
  | 'HISTORY_MISSING'
  | 'FORGE_ERROR'
  /** The forge token lacks a role or permission the job needs: found at start, before anything ran. */
  | 'FORGE_ACCESS'
  | 'DEPLOY_REFUSED'
  /** The approved preview no longer holds: the program, the stack's state or the live resources moved since. */
  | 'PREVIEW_STALE'
  /** A mandatory policy of a pack in force failed: the run changed nothing. */
  | 'POLICY_VIOLATION'
  /** A policy pack could not run: its analyzer plugin is missing, its dependencies are not installed, or it threw. */
  | 'POLICY_PACK'
  | 'INTERNAL';

export interface GitopsErrorOptions {
  code: ErrorCode;
  kind: ErrorKind;
  message: string;
  cause?: unknown;
  /** A hint printed after the message: how to fix it. */
  hint?: string;
  /** One line per problem when there are several (e.g. every invalid field of every stack file). */
  details?: readonly string[];
}

export class GitopsError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly hint?: string;
  readonly details: readonly string[];

  constructor(options: GitopsErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GitopsError';
    this.code = options.code;
    this.kind = options.kind;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** Shorthand for the most common case: the user's input was wrong. */
export function userError(code: ErrorCode, message: string, hint?: string): GitopsError {
  return new GitopsError({ code, kind: 'user', message, hint });
}

/** Wraps anything thrown into a GitopsError without losing it. */
export function asGitopsError(err: unknown): GitopsError {
  if (err instanceof GitopsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GitopsError({ code: 'INTERNAL', kind: 'internal', message, cause: err });
}
