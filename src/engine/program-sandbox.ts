import { execFile } from 'node:child_process';
import path from 'node:path';
import { toolsHome } from '../toolchain/tool-cache.js';

/**
 * How program processes (the program host, the dynamic-provider plugin) are confined, beyond
 * their allowlisted environment:
 * - `pid`: a PID namespace of their own with its own /proc (util-linux `unshare`), so a program
 *   sees no other process, and cannot read the environment of the driver or the job's shell
 *   through `/proc/<pid>/environ`; and a mount namespace where the checkout is read-only but
 *   for `.gitops/`, so it cannot change another stack's program or stack file before that runs;
 * - `userns-pid`: the same inside a user namespace, for a driver that is not root;
 * - `none`: neither is permitted here (a container without CAP_SYS_ADMIN, a kernel that forbids
 *   unprivileged user namespaces): programs still run in their own processes, with their own
 *   environment, but as the same user as the driver.
 */
export type ProgramSandbox = 'pid' | 'userns-pid' | 'none';

/** The variable that tells the plugin scripts (bin/plugins/gitops-confine) which confinement to use. */
export const SANDBOX_VARIABLE = 'GITOPS_PROGRAM_SANDBOX';

/** The folder a confined program sees read-only (the checkout), but for its `.gitops/` folder. */
export const READONLY_VARIABLE = 'GITOPS_PROGRAM_READONLY';

/** Each confinement, tried as gitops-confine uses it: namespaces, and a read-only bind mount. */
const trial: Record<Exclude<ProgramSandbox, 'none'>, string[]> = {
  pid: ['--pid', '--fork', '--mount-proc', '--kill-child'],
  'userns-pid': ['--user', '--map-root-user', '--pid', '--fork', '--mount-proc', '--kill-child'],
};
const bindReadOnly = ['sh', '-c', 'mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp'];

let found: Promise<ProgramSandbox> | undefined;

/** The strongest confinement this machine permits, tried once per process (a few milliseconds). */
export function detectSandbox(env: NodeJS.ProcessEnv): Promise<ProgramSandbox> {
  found ??= (async () => {
    for (const kind of ['pid', 'userns-pid'] as const) if (await succeeds('unshare', [...trial[kind], ...bindReadOnly], env)) return kind;
    return 'none';
  })();
  return found;
}

function succeeds(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 10_000 }, (err) => resolve(!err));
  });
}

/**
 * The variable naming the folders (`:`-separated) a confined program sees read-only in full:
 * what later runs trust without checking it again, outside the checkout.
 */
export const PROTECTED_VARIABLE = 'GITOPS_PROGRAM_PROTECTED';

/**
 * The folders no program may change: the Pulumi home (the plugins the CLI starts), the CLI's own
 * folder, and the gitops tool cache (the prepared policy packs and their dependencies, which every
 * later run's checks load). Written by a merge request's program, they would change what a later
 * run of a protected stack executes or checks against.
 */
export function protectedFolders(env: NodeJS.ProcessEnv, toolchain: { home: string; binDir: string }): string {
  return [...new Set([toolchain.home, toolchain.binDir, toolsHome(env)].map((dir) => path.resolve(dir)))].join(':');
}
