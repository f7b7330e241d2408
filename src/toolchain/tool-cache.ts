import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Log } from './go-build.js';
import { withFileLock } from './install-lock.js';
import { userHome } from './pulumi-home.js';

/** The folder of every tool gitops caches (binaries, prepared policy packs): `$GITOPS_TOOLS_HOME`, else `~/.pulumi/gitops-tools`. */
export function toolsHome(env: NodeJS.ProcessEnv): string {
  return env.GITOPS_TOOLS_HOME ?? path.join(userHome(env), '.pulumi', 'gitops-tools');
}

/**
 * Per user and version, beside Pulumi's own folders, so a fresh clone finds the binaries
 * again. `$GITOPS_TOOLS_HOME` moves it.
 */
export function toolCacheDir(env: NodeJS.ProcessEnv, tool: string, version: string): string {
  return path.join(toolsHome(env), tool, version);
}

/**
 * Returns `binary` if it is there; otherwise runs `build` (which must write it atomically)
 * under a lock, so parallel test workers build it once.
 */
export async function ensureCachedBinary(binary: string, log: Log, build: () => Promise<void>): Promise<'cache' | 'built'> {
  if (existsSync(binary)) return 'cache';
  await mkdir(path.dirname(binary), { recursive: true });
  let built = false;
  await withFileLock(`${binary}.lock`, log, async () => {
    // Another process may have finished it while we waited for the lock.
    if (existsSync(binary)) return;
    await build();
    built = true;
  });
  return built ? 'built' : 'cache';
}
