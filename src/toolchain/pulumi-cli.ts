import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { PulumiCommand } from '@pulumi/pulumi/automation/index.js';
import { SemVer } from 'semver';
import { GitopsError } from '../errors/gitops-error.js';
import { goBuild, type Log } from './go-build.js';
import { withFileLock } from './install-lock.js';
import { onPath } from './on-path.js';
import { pulumiCliEnv, pulumiHome, userHome } from './pulumi-home.js';
import { assertToolchainAllowed } from './toolchain-guard.js';
import { PULUMI_VERSION, pulumiCliBuild, versionFits } from './versions.js';

const run = promisify(execFile);

/** A Pulumi CLI ready for the Automation API, and where it came from. */
export interface PulumiToolchain {
  command: PulumiCommand;
  /** Folder holding `pulumi` and the dynamic-provider plugin. */
  binDir: string;
  source: 'path' | 'cache' | 'installer' | 'built';
  version: string;
  /** Extra PATH entries the engine needs (the dynamic-provider plugin when it is not beside the CLI). */
  extraPath: string[];
  /** The Pulumi home (plugins, workspace metadata) every CLI run must get as `PULUMI_HOME`: see {@link pulumiHome}. */
  home: string;
}

/**
 * Per user and version, like Pulumi's own installer (`~/.pulumi/versions/<version>`, which does
 * not follow `PULUMI_HOME` either), so a fresh clone finds it again. `$GITOPS_TOOLCHAIN_HOME` moves it.
 */
export function cacheRoot(env: NodeJS.ProcessEnv, version = PULUMI_VERSION): string {
  const base = env.GITOPS_TOOLCHAIN_HOME ?? path.join(userHome(env), '.pulumi', 'versions');
  return path.join(base, version);
}

async function versionOf(binary: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const { stdout } = await run(binary, ['version'], { env: pulumiCliEnv(env), timeout: 30_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** The dynamic-provider plugin script shipped in the `@pulumi/pulumi` package. */
export function dynamicProviderPlugin(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@pulumi/pulumi/package.json')), 'pulumi-resource-pulumi-nodejs');
}

async function placePlugin(binDir: string): Promise<void> {
  const target = path.join(binDir, 'pulumi-resource-pulumi-nodejs');
  await copyFile(dynamicProviderPlugin(), target);
  await chmod(target, 0o755);
}

async function tryOfficialInstaller(root: string, log: Log): Promise<boolean> {
  log(`trying Pulumi's official installer for v${PULUMI_VERSION}`);
  try {
    await PulumiCommand.install({ root, version: new SemVer(PULUMI_VERSION) });
    return existsSync(path.join(root, 'bin', 'pulumi'));
  } catch (err) {
    log(`  official installer unavailable: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    return false;
  }
}

/** Installs the CLI into `root` unless a fitting one is there; says where it came from. */
async function install(root: string, cached: string, env: NodeJS.ProcessEnv, log: Log): Promise<PulumiToolchain['source']> {
  const version = existsSync(cached) ? await versionOf(cached, env) : undefined;
  if (version && versionFits(version)) return 'cache';
  if (env.GITOPS_SKIP_INSTALLER !== '1' && (await tryOfficialInstaller(root, log))) return 'installer';
  await goBuild({ label: `Pulumi CLI v${PULUMI_VERSION}`, ...pulumiCliBuild, output: cached }, env, log);
  return 'built';
}

/**
 * Gives the driver a Pulumi CLI of the pinned version. In order: `pulumi` on PATH or in the
 * cache if its version fits; Pulumi's official installer; a build from the Go module proxy.
 * The result is cached per user and version, with the dynamic-provider plugin beside it.
 */
export async function ensurePulumi(env: NodeJS.ProcessEnv, log: Log): Promise<PulumiToolchain> {
  assertToolchainAllowed(env, 'the Pulumi CLI');
  const home = pulumiHome(env);
  const root = cacheRoot(env);
  const binDir = path.join(root, 'bin');
  const cached = path.join(binDir, 'pulumi');
  const plugin = path.join(binDir, 'pulumi-resource-pulumi-nodejs');

  const fromPath = onPath(env, 'pulumi');
  if (fromPath && path.dirname(fromPath) !== binDir) {
    const version = await versionOf(fromPath, env);
    if (version && versionFits(version)) {
      const command = await PulumiCommand.get({ version: new SemVer(PULUMI_VERSION) });
      const dir = path.dirname(fromPath);
      const extraPath = existsSync(path.join(dir, 'pulumi-resource-pulumi-nodejs')) ? [] : [path.dirname(dynamicProviderPlugin())];
      return { command, binDir: dir, source: 'path', version, extraPath, home };
    }
  }

  let source: PulumiToolchain['source'] = 'cache';
  // The fast path: a binary we verified before, unchanged since (saves a `pulumi version` run).
  const stampFile = path.join(root, '.gitops-verified');
  const stamp = async (): Promise<string> => {
    const s = await stat(cached);
    return `${PULUMI_VERSION} ${s.size} ${s.mtimeMs}`;
  };
  const verified = existsSync(cached) && existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === (await stamp());
  if (!verified) {
    await mkdir(root, { recursive: true });
    await withFileLock(path.join(root, '.gitops-install.lock'), log, () =>
      install(root, cached, env, log).then((s) => {
        source = s;
      }),
    );
    await writeFile(stampFile, await stamp());
  }
  if (!existsSync(plugin)) await placePlugin(binDir);
  // Verified before and unchanged: skip the `pulumi version` run PulumiCommand.get always makes.
  // Its constructor is private but only stores these two fields.
  if (verified) {
    const fields = { command: cached, version: new SemVer(PULUMI_VERSION) };
    const command = Object.assign(Object.create(PulumiCommand.prototype) as PulumiCommand, fields);
    return { command, binDir, source, version: PULUMI_VERSION, extraPath: [], home };
  }
  let command: PulumiCommand;
  try {
    command = await PulumiCommand.get({ root, version: new SemVer(PULUMI_VERSION) });
  } catch (err) {
    throw new GitopsError({
      code: 'TOOLCHAIN_MISSING',
      kind: 'external',
      message: `the Pulumi CLI at ${cached} does not work: ${err instanceof Error ? err.message : String(err)}`,
      hint: `delete ${root} and run \`npm run setup\` again, or install Pulumi v${PULUMI_VERSION}`,
      cause: err,
    });
  }
  return { command, binDir, source, version: command.version?.toString() ?? PULUMI_VERSION, extraPath: [], home };
}
