import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBERNETES_PROVIDER_VERSION } from '../../src/toolchain/kubernetes-versions.js';
import { cacheRoot } from '../../src/toolchain/pulumi-cli.js';
import { toolCacheDir } from '../../src/toolchain/tool-cache.js';

const run = promisify(execFile);
const providerModule = fileURLToPath(new URL('../../src/toolchain/kubernetes-provider.ts', import.meta.url));
const cliModule = fileURLToPath(new URL('../../src/toolchain/pulumi-cli.ts', import.meta.url));

interface Registration {
  first: { source: string; binary: string };
  second: { source: string; binary: string };
  /** What `pulumi plugin ls`, run by our code, says. */
  listed: boolean;
}

/**
 * Registers the Kubernetes provider in a process whose $HOME is not the home of the user database
 * (a CI container's), as `npm test` on a fresh machine does, then asks `pulumi plugin ls`
 * through our code. Only the CLI and the provider build come from this machine's caches.
 */
async function registerWithHome(env: Record<string, string | undefined>): Promise<Registration> {
  const code = `
    const { ensureKubernetesProvider, isKubernetesPluginRegistered } = await import(${JSON.stringify(providerModule)});
    const { ensurePulumi } = await import(${JSON.stringify(cliModule)});
    const log = (line) => process.stderr.write('[toolchain] ' + line + '\\n');
    const first = await ensureKubernetesProvider(process.env, log);
    const second = await ensureKubernetesProvider(process.env, log);
    const { binDir } = await ensurePulumi(process.env, log);
    const listed = await isKubernetesPluginRegistered(binDir + '/pulumi', process.env);
    process.stdout.write(JSON.stringify({ first, second, listed }));`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    GITOPS_TOOLCHAIN_HOME: path.dirname(cacheRoot(process.env)),
    GITOPS_TOOLS_HOME: path.dirname(path.dirname(toolCacheDir(process.env, 'x', 'x'))),
    // Offline anyway: skip the download attempt of the plugin.
    GITOPS_SKIP_INSTALLER: '1',
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const args = ['--import', 'tsx', '--input-type=module', '-e', code];
  const { stdout } = await run(process.execPath, args, { env: childEnv, timeout: 300_000 });
  return JSON.parse(stdout) as Registration;
}

const pluginPath = (pulumiHome: string): string =>
  path.join(pulumiHome, 'plugins', `resource-kubernetes-v${KUBERNETES_PROVIDER_VERSION}`, 'pulumi-resource-kubernetes');

describe('one Pulumi home for the Kubernetes provider when $HOME is not the home of the user database', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-home-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('registers the plugin under $HOME/.pulumi, where `pulumi plugin ls` run by our code finds it', async () => {
    const home = path.join(dir, 'home');
    expect(os.userInfo().homedir).not.toBe(home);
    const r = await registerWithHome({ HOME: home, PULUMI_HOME: undefined });
    // The failure this guards against: "not registered with the Pulumi CLI after installing it",
    // because the CLI had registered the plugin under the user database's home.
    expect(r.first).toEqual({ version: KUBERNETES_PROVIDER_VERSION, source: 'cache', binary: pluginPath(path.join(home, '.pulumi')) });
    await access(r.first.binary, constants.X_OK);
    expect(r.second).toMatchObject({ source: 'registered', binary: r.first.binary });
    expect(r.listed).toBe(true);
  });

  it('respects an explicit PULUMI_HOME', async () => {
    const home = path.join(dir, 'home2');
    const pulumiHome = path.join(dir, 'pulumi-home');
    const r = await registerWithHome({ HOME: home, PULUMI_HOME: pulumiHome });
    expect(r.first).toMatchObject({ source: 'cache', binary: pluginPath(pulumiHome) });
    await access(r.first.binary, constants.X_OK);
    expect(r.second.source).toBe('registered');
    expect(r.listed).toBe(true);
  });
});
