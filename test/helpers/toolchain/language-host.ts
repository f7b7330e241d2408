import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitopsError } from '../../../src/errors/gitops-error.js';
import { type GoBuildSpec, goBuild, type Log } from '../../../src/toolchain/go-build.js';
import { withFileLock } from '../../../src/toolchain/install-lock.js';
import { onPath } from '../../../src/toolchain/on-path.js';
import { cacheRoot } from '../../../src/toolchain/pulumi-cli.js';
import { PULUMI_VERSION, pulumiCliBuild } from '../../../src/toolchain/versions.js';

/**
 * Pulumi's Node.js language host. The driver runs inline programs and does not need it; plain
 * Pulumi projects (`runtime: nodejs`) and policy packs do, so only the benchmark's plain-Pulumi
 * contender uses it (hence here, not in src/).
 */
export const LANGUAGE_HOST_MODULE = 'github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3';

/**
 * The module has no version tags, so it is pinned by pseudo-version to the commit of the CLI's
 * tag: v3.248.0 is commit a88168d865b7 (Homebrew's formula records it); the time is that of the
 * pkg/v3.248.0 tag as the Go module proxy reports it. The proxy reachable from the development
 * machines refuses this module at every version, so this pin could not be tried there.
 */
export const LANGUAGE_HOST_VERSION = 'v3.0.0-20260624180030-a88168d865b7';

export const LANGUAGE_HOST_BINARY = 'pulumi-language-nodejs';

/** A Node.js language host, and where it came from. */
export interface LanguageHost {
  path: string;
  source: 'cache' | 'path' | 'built';
}

/** How to build it: the CLI's wrapper module plus the language host's own module. */
export const languageHostBuild: Omit<GoBuildSpec, 'output'> = {
  label: `pulumi-language-nodejs for Pulumi v${PULUMI_VERSION}`,
  mainPackage: LANGUAGE_HOST_MODULE,
  requires: { ...pulumiCliBuild.requires, [LANGUAGE_HOST_MODULE]: LANGUAGE_HOST_VERSION },
  replaces: pulumiCliBuild.replaces,
  ldflags: pulumiCliBuild.ldflags,
  tags: pulumiCliBuild.tags,
};

/**
 * Gives Pulumi a Node.js language host. In order: the one beside the cached CLI (Pulumi's
 * official installer puts it there, and so does a previous build), one on PATH, a build from
 * the Go module proxy into the CLI's folder. The Pulumi CLI looks beside itself first, so a
 * built host is found without any PATH change.
 */
export async function ensureLanguageHost(env: NodeJS.ProcessEnv, log: Log): Promise<LanguageHost> {
  const root = cacheRoot(env);
  const cached = path.join(root, 'bin', LANGUAGE_HOST_BINARY);
  const stampFile = path.join(root, '.gitops-language-host-built');
  // A half-finished build never lands at `cached` (goBuild renames atomically); the stamp only
  // tells a binary we built from one placed there by someone else.
  const stamp = async (): Promise<string> => {
    const s = await stat(cached);
    return `${LANGUAGE_HOST_VERSION} ${s.size} ${s.mtimeMs}`;
  };
  if (existsSync(cached)) {
    const built = existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === (await stamp());
    return { path: cached, source: built ? 'built' : 'cache' };
  }
  const fromPath = onPath(env, LANGUAGE_HOST_BINARY);
  if (fromPath) return { path: fromPath, source: 'path' };

  await mkdir(root, { recursive: true });
  await withFileLock(path.join(root, '.gitops-language-host.lock'), log, async () => {
    if (existsSync(cached)) return; // another process built it while we waited
    try {
      await goBuild({ ...languageHostBuild, output: cached }, env, log);
    } catch (err) {
      throw new GitopsError({
        code: 'TOOLCHAIN_MISSING',
        kind: 'external',
        message: `no Node.js language host: none beside the Pulumi CLI (${cached}) or on PATH, and building ${LANGUAGE_HOST_MODULE}@${LANGUAGE_HOST_VERSION} failed: ${err instanceof Error ? err.message : String(err)}`,
        hint: `install Pulumi v${PULUMI_VERSION} from its release archive (it ships ${LANGUAGE_HOST_BINARY}) and put ${LANGUAGE_HOST_BINARY} on PATH or into ${path.dirname(cached)}`,
        cause: err,
      });
    }
    await writeFile(stampFile, await stamp());
  });
  return { path: cached, source: 'built' };
}
