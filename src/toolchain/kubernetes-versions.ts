import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withFileLock } from './file-lock.js';
import type { Log } from './go-build.js';

/**
 * The `@pulumi/kubernetes` package in package.json, and the provider version registered with
 * the CLI. The Go module proxy serves the provider module only at one pseudo-version, commit
 * f47bc2d6f199 of 2026-01-15: after sdk/v4.24.1 (2025-11-24), a day before sdk/v4.25.0
 * (2026-01-16). The npm packages 4.24.1 and 4.25.0 are identical but for their version, so the
 * schema matches; we pin 4.25.0, the nearest release not older than that commit.
 */
export const KUBERNETES_PROVIDER_VERSION = '4.25.0';

/** How to build `pulumi-resource-kubernetes` from the Go module proxy. */
export const kubernetesProviderBuild = {
  module: 'github.com/pulumi/pulumi-kubernetes/provider/v4',
  moduleVersion: 'v4.0.0-20260115033456-f47bc2d6f199',
  mainPackage: 'github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes',
  /** The provider's go.mod replaces sdk/v4 with `../sdk`; the tag of the same release stands in. */
  requires: { 'github.com/pulumi/pulumi-kubernetes/sdk/v4': `v${KUBERNETES_PROVIDER_VERSION}` },
  ldflags: `-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${KUBERNETES_PROVIDER_VERSION}`,
} as const;

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

/**
 * Per user and version, beside Pulumi's own folders, so a fresh clone finds the binaries
 * again. `$GITOPS_TOOLS_HOME` moves it.
 */
export function toolCacheDir(env: NodeJS.ProcessEnv, tool: string, version: string): string {
  return path.join(env.GITOPS_TOOLS_HOME ?? path.join(os.homedir(), '.pulumi', 'gitops-tools'), tool, version);
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
