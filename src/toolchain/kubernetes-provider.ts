import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitopsError } from '../errors/gitops-error.js';
import { goBuild, goModDownload, type Log } from './go-build.js';
import { withFileLock } from './install-lock.js';
import { KUBERNETES_PROVIDER_VERSION, kubernetesProviderBuild } from './kubernetes-versions.js';
import { ensurePulumi } from './pulumi-cli.js';
import { pulumiCliEnv, pulumiHome } from './pulumi-home.js';
import { ensureCachedBinary, toolCacheDir } from './tool-cache.js';

const run = promisify(execFile);

/** The Kubernetes resource plugin, registered with the Pulumi CLI. */
export interface KubernetesProvider {
  version: string;
  /** The registered plugin executable (under $PULUMI_HOME/plugins). */
  binary: string;
  /** Already registered, downloaded by `pulumi plugin install`, or registered from our build (cached or fresh). */
  source: 'registered' | 'downloaded' | 'cache' | 'built';
}

/** One row of `pulumi plugin ls --json`. */
interface PluginRow {
  name: string;
  kind: string;
  version: string;
}

/** Where `pulumi plugin install` puts the plugin: under the Pulumi home of `env` ({@link pulumiHome}). */
export function kubernetesPluginBinary(env: NodeJS.ProcessEnv, version = KUBERNETES_PROVIDER_VERSION): string {
  return path.join(pulumiHome(env), 'plugins', `resource-kubernetes-v${version}`, 'pulumi-resource-kubernetes');
}

/** Whether `pulumi plugin ls`, run with the Pulumi home of `env`, lists the Kubernetes plugin at `version`. */
export async function isKubernetesPluginRegistered(
  pulumi: string,
  env: NodeJS.ProcessEnv,
  version = KUBERNETES_PROVIDER_VERSION,
): Promise<boolean> {
  const { stdout } = await run(pulumi, ['plugin', 'ls', '--json'], { env: pulumiCliEnv(env), maxBuffer: 16 << 20 });
  const rows = JSON.parse(stdout || '[]') as PluginRow[];
  return rows.some((r) => r.kind === 'resource' && r.name === 'kubernetes' && r.version === version);
}

/**
 * Reproduces the module's `go generate` (cmd/pulumi-resource-kubernetes/generate.go) in a
 * writable copy: the embedded schema is the committed schema.json with `version` set, and
 * the terraform mapping is terraform-mapping.json compacted.
 */
async function generateEmbeds(cmdDir: string, version: string): Promise<void> {
  const schema = JSON.parse(await readFile(path.join(cmdDir, 'schema.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(cmdDir, 'schema-embed.json'), JSON.stringify({ ...schema, version }));
  const mapping: unknown = JSON.parse(await readFile(path.join(cmdDir, 'terraform-mapping.json'), 'utf8'));
  await writeFile(path.join(cmdDir, 'terraform-mapping-embed.json'), JSON.stringify(mapping));
}

/** Module zips extract read-only; the copy must take new files and be removable afterwards. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isDirectory()) await chmod(path.join(entry.parentPath, entry.name), 0o755);
  }
}

async function buildProvider(output: string, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  const { module, moduleVersion, mainPackage, requires, ldflags } = kubernetesProviderBuild;
  const localCopy = 'pulumi-kubernetes-provider';
  await goBuild(
    {
      label: `pulumi-resource-kubernetes v${KUBERNETES_PROVIDER_VERSION}`,
      mainPackage,
      requires: { [module]: moduleVersion, ...requires },
      replaces: { [module]: `./${localCopy}` },
      ldflags,
      output,
      prepare: async (workDir, go) => {
        const { Dir } = await goModDownload(go, module, moduleVersion, env);
        const copy = path.join(workDir, localCopy);
        await cp(Dir, copy, { recursive: true });
        await makeWritable(copy);
        await generateEmbeds(path.join(copy, 'cmd', 'pulumi-resource-kubernetes'), KUBERNETES_PROVIDER_VERSION);
      },
    },
    env,
    log,
  );
}

async function tryDownload(pulumi: string, env: NodeJS.ProcessEnv, log: Log): Promise<boolean> {
  log(`trying \`pulumi plugin install resource kubernetes ${KUBERNETES_PROVIDER_VERSION}\``);
  try {
    await run(pulumi, ['plugin', 'install', 'resource', 'kubernetes', KUBERNETES_PROVIDER_VERSION], { env, timeout: 300_000 });
    return true;
  } catch (err) {
    log(
      `  download unavailable: ${String((err as { stderr?: string }).stderr ?? err)
        .trim()
        .split('\n')
        .pop()}`,
    );
    return false;
  }
}

/**
 * Makes the Kubernetes provider plugin of the pinned `@pulumi/kubernetes` version available to
 * the Pulumi CLI. In order: already registered; `pulumi plugin install` (needs the internet);
 * a build from the Go module proxy, cached per user and version, then registered with
 * `pulumi plugin install --file`.
 */
export async function ensureKubernetesProvider(env: NodeJS.ProcessEnv, log: Log): Promise<KubernetesProvider> {
  const version = KUBERNETES_PROVIDER_VERSION;
  const { binDir, home } = await ensurePulumi(env, log);
  const pulumi = path.join(binDir, 'pulumi');
  // The CLI finds its home through the user database, not $HOME: name ours explicitly.
  const cliEnv = pulumiCliEnv({ ...env, PULUMI_HOME: home });
  const binary = kubernetesPluginBinary(cliEnv);
  const ready = async (): Promise<boolean> => existsSync(binary) && (await isKubernetesPluginRegistered(pulumi, cliEnv));
  if (await ready()) return { version, binary, source: 'registered' };

  const cacheDir = toolCacheDir(env, 'pulumi-resource-kubernetes', version);
  let source: KubernetesProvider['source'] = 'registered';
  await mkdir(cacheDir, { recursive: true });
  await withFileLock(path.join(cacheDir, '.register.lock'), log, async () => {
    if (await ready()) return;
    if (env.GITOPS_SKIP_INSTALLER !== '1' && (await tryDownload(pulumi, cliEnv, log)) && (await ready())) {
      source = 'downloaded';
      return;
    }
    const built = path.join(cacheDir, 'pulumi-resource-kubernetes');
    source = await ensureCachedBinary(built, log, () => buildProvider(built, env, log));
    await run(pulumi, ['plugin', 'install', 'resource', 'kubernetes', version, '--file', built], { env: cliEnv });
  });
  if (!(await ready())) {
    throw new GitopsError({
      code: 'TOOLCHAIN_MISSING',
      kind: 'external',
      message: `the Kubernetes provider v${version} is not registered with the Pulumi CLI after installing it (${binary})`,
      hint: `run \`pulumi plugin install resource kubernetes ${version}\`, or delete ${cacheDir} and try again`,
    });
  }
  log(`Kubernetes provider v${version} registered (${source}): ${binary}`);
  return { version, binary, source };
}
