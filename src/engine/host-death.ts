import { GitopsError } from '../errors/gitops-error.js';

/**
 * The error for a run whose program host died while the operation ran (killed, out of memory,
 * crashed), or undefined when it was still running when the engine gave up. To the engine both a
 * dead host and a dead provider are a dropped connection; the driver started the host, so it knows.
 */
export function hostDeathError(
  stack: string,
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined,
  cause: unknown,
): GitopsError | undefined {
  if (!exited) return undefined;
  const how = exited.signal ? `killed by ${exited.signal}` : `exit code ${exited.code}`;
  return new GitopsError({
    code: 'PROGRAM_ERROR',
    kind: 'user',
    message: `stack ${stack}: the program's process (the gitops program host) died while the program ran (${how})`,
    hint:
      'the engine finished the operations already in flight and recorded them; run it again, and if it dies again look for what ' +
      'kills it (memory, process.exit in the program, a native module)',
    cause,
  });
}
