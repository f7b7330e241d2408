import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { GitopsError } from '../errors/gitops-error.js';
import type { HostRunStatus } from '../program-host/settings.js';

/** Where the program host of a stack's runs records its status (see `HostSettings.statusFile`). */
export function hostStatusFile(workDir: string): string {
  return path.join(workDir, 'program-host.json');
}

/** Forgets the status of an earlier run, before a new one starts. */
export function clearHostStatus(workDir: string): void {
  rmSync(hostStatusFile(workDir), { force: true });
}

/**
 * The error for a run whose program host died while running the program (killed, out of memory,
 * crashed), or undefined when it did not: its status still says `running` after the engine
 * gave up. To the engine that is a dropped connection, like a provider's crash, so only this tells them apart.
 */
export function hostDeathError(stack: string, workDir: string, cause: unknown): GitopsError | undefined {
  let status: HostRunStatus;
  try {
    status = JSON.parse(readFileSync(hostStatusFile(workDir), 'utf8')) as HostRunStatus;
  } catch {
    return undefined;
  }
  if (status.state !== 'running') return undefined;
  return new GitopsError({
    code: 'PROGRAM_ERROR',
    kind: 'user',
    message: `stack ${stack}: the program's process (the gitops program host) died while the program ran`,
    hint:
      'the engine finished the operations already in flight and recorded them; run it again, and if it dies again look for what ' +
      'kills it (memory, process.exit in the program, a native module)',
    cause,
  });
}
