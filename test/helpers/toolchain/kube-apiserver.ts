import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gte } from 'semver';
import { GitopsError } from '../../../src/errors/gitops-error.js';
import { goBuild, goModDownload, type Log } from '../../../src/toolchain/go-build.js';
import { onPath } from '../../../src/toolchain/on-path.js';
import { ensureCachedBinary, toolCacheDir } from '../../../src/toolchain/tool-cache.js';
import { aptInstall } from './apt.js';

// The test API server: only the tests and benchmarks start one, so it lives here, not in src/.

/**
 * The API server for tests. 1.34 is the oldest minor the proxy serves, so the nearest to
 * Debian's kubectl (1.32) and to the provider's client-go (0.33).
 */
export const KUBERNETES_VERSION = '1.34.4';

/** kube-apiserver (and kubectl, when none is installed) come from the k8s.io/kubernetes module. */
export const kubeApiServerBuild = {
  module: 'k8s.io/kubernetes',
  /** The staging modules (k8s.io/api, ...) are released as v0.<minor>.<patch>. */
  stagingVersion: `v0.${KUBERNETES_VERSION.split('.').slice(1).join('.')}`,
} as const;

/** etcd built from the proxy when none is installed (the server module's main package). */
export const ETCD_VERSION = '3.6.15';
/** The oldest installed etcd we use: Debian 12's etcd-server, verified with kube-apiserver 1.34. */
export const ETCD_MIN_VERSION = '3.4.23';

const run = promisify(execFile);

/** A binary for the test cluster (server or client), and where it came from. */
export interface ToolBinary {
  binary: string;
  version: string;
  source: 'system' | 'apt' | 'cache' | 'built';
}

/**
 * k8s.io/kubernetes replaces its staging modules (k8s.io/api, ...) with local folders that a
 * module zip cannot use: pin each one it requires to its release instead.
 */
export function stagingReplaces(goMod: string, stagingVersion: string): string[] {
  const required = new Set([...goMod.matchAll(/^\s*(?:require\s+)?(k8s\.io\/[\w.-]+)\s+v\S+/gm)].map((m) => m[1]));
  return [...goMod.matchAll(/^\s*(?:replace\s+)?(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\//gm)]
    .map((m) => m[1]!)
    .filter((module) => required.has(module))
    .map((module) => `replace ${module} => ${module} ${stagingVersion}`);
}

/** The version flags of Kubernetes' own build (hack/lib/version.sh), so clients see a real version. */
function kubeVersionLdflags(version: string): string {
  const [major, minor] = version.split('.');
  const vars = { gitVersion: `v${version}`, gitMajor: major, gitMinor: minor, gitTreeState: 'clean' };
  return ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version']
    .flatMap((pkg) => Object.entries(vars).map(([k, v]) => `-X ${pkg}.${k}=${v}`))
    .join(' ');
}

/** Builds a command of k8s.io/kubernetes (cmd/<name>) at {@link KUBERNETES_VERSION}, cached per version. */
async function ensureKubernetesCommand(name: string, env: NodeJS.ProcessEnv, log: Log): Promise<ToolBinary> {
  const binary = path.join(toolCacheDir(env, name, `v${KUBERNETES_VERSION}`), name);
  const source = await ensureCachedBinary(binary, log, () =>
    goBuild(
      {
        label: `${name} v${KUBERNETES_VERSION}`,
        mainPackage: `${kubeApiServerBuild.module}/cmd/${name}`,
        requires: { [kubeApiServerBuild.module]: `v${KUBERNETES_VERSION}` },
        ldflags: kubeVersionLdflags(KUBERNETES_VERSION),
        output: binary,
        prepare: async (workDir, go) => {
          const { GoMod } = await goModDownload(go, kubeApiServerBuild.module, `v${KUBERNETES_VERSION}`, env);
          const replaces = stagingReplaces(await readFile(GoMod, 'utf8'), kubeApiServerBuild.stagingVersion);
          await appendFile(path.join(workDir, 'go.mod'), `${replaces.join('\n')}\n`);
        },
      },
      env,
      log,
    ),
  );
  return { binary, version: KUBERNETES_VERSION, source };
}

/** `kube-apiserver` of {@link KUBERNETES_VERSION}, built once from the Go module proxy and cached per version. */
export function ensureKubeApiServer(env: NodeJS.ProcessEnv, log: Log): Promise<ToolBinary> {
  return ensureKubernetesCommand('kube-apiserver', env, log);
}

/** `kubectl` on PATH (any version: Debian's 1.32 works with the 1.34 server), else built like kube-apiserver. */
export async function ensureKubectl(env: NodeJS.ProcessEnv, log: Log): Promise<ToolBinary> {
  const installed = onPath(env, 'kubectl');
  if (installed) return { binary: installed, version: 'installed', source: 'system' };
  return ensureKubernetesCommand('kubectl', env, log);
}

async function etcdVersion(binary: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: 30_000 });
    return /etcd Version:\s*(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

async function systemEtcd(dirs: string[]): Promise<ToolBinary | undefined> {
  for (const dir of dirs) {
    const binary = dir && path.join(dir, 'etcd');
    if (!binary || !existsSync(binary)) continue;
    const version = await etcdVersion(binary);
    if (version && gte(version, ETCD_MIN_VERSION)) return { binary, version, source: 'system' };
  }
  return undefined;
}

/**
 * An etcd for the test API server. In order: `etcd` on PATH (at least {@link ETCD_MIN_VERSION});
 * a build cached earlier; Debian's `etcd-server` via apt-get when running as root; a build of
 * etcd {@link ETCD_VERSION} from the Go module proxy.
 */
export async function ensureEtcd(env: NodeJS.ProcessEnv, log: Log): Promise<ToolBinary> {
  const binary = path.join(toolCacheDir(env, 'etcd', `v${ETCD_VERSION}`), 'etcd');
  const found = await systemEtcd((env.PATH ?? '').split(path.delimiter));
  if (found) return found;
  if (!existsSync(binary) && (await aptInstall(['etcd-server'], env, log))) {
    const installed = await systemEtcd(['/usr/bin']);
    if (installed) return { ...installed, source: 'apt' };
  }
  if (!existsSync(binary)) log('no etcd found; building it (`apt-get install etcd-server` as root would be faster)');
  const source = await ensureCachedBinary(binary, log, () =>
    goBuild(
      {
        label: `etcd v${ETCD_VERSION}`,
        mainPackage: 'go.etcd.io/etcd/server/v3',
        requires: { 'go.etcd.io/etcd/server/v3': `v${ETCD_VERSION}` },
        output: binary,
      },
      env,
      log,
    ),
  );
  const version = await etcdVersion(binary);
  if (!version) {
    throw new GitopsError({
      code: 'TOOLCHAIN_MISSING',
      kind: 'external',
      message: `the etcd at ${binary} does not run`,
      hint: `delete ${path.dirname(binary)} and try again, or install etcd (Debian: apt-get install etcd-server)`,
    });
  }
  return { binary, version, source };
}
