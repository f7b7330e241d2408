import { execFile } from 'node:child_process';

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
