import { spawnSync } from 'node:child_process';

/**
 * How the Pulumi CLI is started so that only the driver decides when it is cancelled.
 *
 * A CI runner cancels a job by signalling its whole process group (SIGTERM, or SIGINT). The
 * CLI cancels gracefully on its first SIGINT or SIGTERM (in-flight operations finish and are
 * recorded) and terminates at once on a second. In the driver's group it would get the
 * group's signal and then the driver's own SIGINT: two signals, so it terminated mid-create.
 * So the CLI runs in a process group of its own, where only the driver's one SIGINT reaches
 * it. Outside the group, a SIGKILL of the job would no longer reach it: `setpriv --pdeathsig`
 * (util-linux) has the kernel kill the CLI when the driver dies, as the group's SIGKILL did.
 */
export interface DetachedCommand {
  command: string;
  args: string[];
}

let setprivWorks: boolean | undefined;

/** Whether `setpriv --pdeathsig` runs here (util-linux 2.33+, Linux only); asked once. */
function canTieToParent(): boolean {
  if (setprivWorks === undefined) {
    if (process.platform !== 'linux') setprivWorks = false;
    else {
      const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5_000 });
      setprivWorks = probe.status === 0;
    }
  }
  return setprivWorks;
}

/**
 * `command args` so that it dies with the driver: through `setpriv --pdeathsig KILL` where it
 * works; unchanged elsewhere (a CLI left running by a killed driver is then reaped by the next
 * run, by its recorded process group).
 */
export function tiedToParent(command: string, args: readonly string[]): DetachedCommand {
  return canTieToParent() ? { command: 'setpriv', args: ['--pdeathsig', 'KILL', '--', command, ...args] } : { command, args: [...args] };
}
