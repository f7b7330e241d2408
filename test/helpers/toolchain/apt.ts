import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Log } from '../../../src/toolchain/go-build.js';

const run = promisify(execFile);

/**
 * Installs Debian `packages` with apt-get when we may (root, apt-get present, GITOPS_NO_APT
 * unset): first from the package lists on the machine, then after `apt-get update`. False when
 * it may not or both attempts failed (each failure logged); the caller says what is missing.
 */
export async function aptInstall(packages: readonly string[], env: NodeJS.ProcessEnv, log: Log): Promise<boolean> {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get') || env.GITOPS_NO_APT === '1') return false;
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', ...packages];
  for (const steps of [[install], [['update'], install]]) {
    try {
      for (const args of steps) {
        log(`running apt-get ${args.join(' ')}`);
        await run('apt-get', args, { env: aptEnv, timeout: 600_000 });
      }
      return true;
    } catch (err) {
      log(
        `  apt-get failed: ${String((err as { stderr?: string }).stderr ?? err)
          .trim()
          .split('\n')
          .pop()}`,
      );
    }
  }
  return false;
}
