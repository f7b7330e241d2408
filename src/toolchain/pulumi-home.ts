import os from 'node:os';
import path from 'node:path';

/**
 * The user's home folder as `env` says: `$HOME`, else the one Node.js reports. Release builds of
 * the Pulumi CLI (`-tags osusergo`) ask the user database instead, which differs from `$HOME` in
 * CI containers (GitHub Actions sets `HOME=/github/home` for root); hence {@link pulumiHome}.
 */
export function userHome(env: NodeJS.ProcessEnv): string {
  return env.HOME || os.homedir();
}

/**
 * The one Pulumi home (plugins, workspace metadata) the driver and every CLI it runs agree on:
 * an explicit `$PULUMI_HOME`, else `$HOME/.pulumi`. Pass it on with {@link pulumiCliEnv}.
 */
export function pulumiHome(env: NodeJS.ProcessEnv): string {
  // Absolute, since the CLI runs in each stack's own work folder.
  return env.PULUMI_HOME ? path.resolve(env.PULUMI_HOME) : path.join(userHome(env), '.pulumi');
}

/** The environment for running the Pulumi CLI: `env` with {@link pulumiHome} set and no update check (offline). */
export function pulumiCliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PULUMI_HOME: pulumiHome(env), PULUMI_SKIP_UPDATE_CHECK: 'true' };
}
