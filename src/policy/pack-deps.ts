import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitopsError } from '../errors/gitops-error.js';
import { withFileLock } from '../toolchain/install-lock.js';

const run = promisify(execFile);

/**
 * The content key of a pack's dependencies: its lockfile's `packages`, less the pack's own name
 * and version, so packs that pin the same dependencies share one install.
 */
export function lockKey(lockText: string): string {
  const lock = JSON.parse(lockText) as { packages?: Record<string, Record<string, unknown>> };
  const packages = { ...(lock.packages ?? {}) };
  const { name: _n, version: _v, ...root } = packages[''] ?? {};
  packages[''] = root;
  return createHash('sha256').update(JSON.stringify(packages)).digest('hex').slice(0, 32);
}

/**
 * Gives the prepared pack in `packDir` its dependencies: installed once per lockfile content
 * (`npm ci --ignore-scripts`, so no package runs code at install) into `cacheDir/deps/<key>`,
 * then linked as its node_modules. `pack` names it in errors (POLICY_PACK, exit 2).
 */
export async function linkPackDeps(pack: string, packDir: string, cacheDir: string, log: (line: string) => void): Promise<void> {
  const lockFile = path.join(packDir, 'package-lock.json');
  if (!existsSync(lockFile)) {
    throw new GitopsError({
      code: 'POLICY_PACK',
      kind: 'user',
      message: `policy pack ${pack}: policies/${pack}/package-lock.json is missing, so its dependencies cannot be installed`,
      hint: `run \`npm install --package-lock-only\` in policies/${pack} and commit the lockfile`,
    });
  }
  const lockText = await readFile(lockFile, 'utf8');
  let key: string;
  try {
    key = lockKey(lockText);
  } catch (err) {
    throw new GitopsError({
      code: 'POLICY_PACK',
      kind: 'user',
      message: `policy pack ${pack}: policies/${pack}/package-lock.json is not valid JSON`,
      cause: err,
    });
  }
  const depsDir = path.join(cacheDir, 'deps', key);
  if (!existsSync(path.join(depsDir, '.ready'))) {
    await mkdir(path.dirname(depsDir), { recursive: true });
    await withFileLock(`${depsDir}.lock`, log, async () => {
      if (existsSync(path.join(depsDir, '.ready'))) return;
      log(`installing the dependencies of policy pack ${pack} from its lockfile`);
      const staging = await mkdtemp(`${depsDir}.staging-`);
      try {
        await copyFile(lockFile, path.join(staging, 'package-lock.json'));
        await copyFile(path.join(packDir, 'package.json'), path.join(staging, 'package.json'));
        await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: staging, timeout: 600_000 });
        await writeFile(path.join(staging, '.ready'), `${new Date().toISOString()}\n`);
        await rm(depsDir, { recursive: true, force: true });
        await rename(staging, depsDir);
      } catch (err) {
        await rm(staging, { recursive: true, force: true });
        const stderr = (err as { stderr?: string }).stderr ?? (err as Error).message;
        throw new GitopsError({
          code: 'POLICY_PACK',
          kind: 'user',
          message: `policy pack ${pack}: installing its dependencies from policies/${pack}/package-lock.json failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
          hint: 'check that the lockfile matches package.json (npm ci refuses otherwise) and that the npm registry is reachable',
          cause: err,
        });
      }
    });
  }
  await rm(path.join(packDir, 'node_modules'), { recursive: true, force: true });
  await symlink(path.join(depsDir, 'node_modules'), path.join(packDir, 'node_modules'), 'dir');
}
