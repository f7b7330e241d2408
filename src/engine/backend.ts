import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { GitopsError, userError } from '../errors/gitops-error.js';
import type { RepoLayout } from '../repo/layout.js';

/**
 * The state backend: `PULUMI_BACKEND_URL`, else `backend.url` of the root Pulumi.yaml, else a
 * file backend inside the repository (`.gitops/state`, ignored by git) so a fresh clone works.
 * A relative `file://` path in Pulumi.yaml is relative to the repository root.
 */
export function resolveBackendUrl(layout: RepoLayout, env: NodeJS.ProcessEnv): string {
  if (env.PULUMI_BACKEND_URL) return env.PULUMI_BACKEND_URL;
  const projectFile = path.join(layout.root, 'Pulumi.yaml');
  let configured: unknown;
  try {
    configured = (parse(readFileSync(projectFile, 'utf8')) as { backend?: { url?: unknown } } | null)?.backend?.url;
  } catch (err) {
    throw new GitopsError({ code: 'USAGE', kind: 'user', message: `Pulumi.yaml: cannot read it: ${(err as Error).message}`, cause: err });
  }
  if (configured !== undefined && typeof configured !== 'string') throw userError('USAGE', 'Pulumi.yaml: backend.url must be a string');
  if (typeof configured === 'string' && configured !== '') {
    if (configured.startsWith('file://') && !configured.startsWith('file:///') && !configured.startsWith('file://~')) {
      return `file://${path.resolve(layout.root, configured.slice('file://'.length))}`;
    }
    return configured;
  }
  return `file://${path.join(layout.workDir, 'state')}`;
}

/**
 * Secrets use the passphrase provider. Checked before anything runs, so a missing
 * passphrase never leaves a half-made stack behind.
 */
export function checkPassphrase(env: NodeJS.ProcessEnv): void {
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return;
  if (file) {
    if (!existsSync(file)) throw userError('PASSPHRASE_MISSING', `PULUMI_CONFIG_PASSPHRASE_FILE names ${file}, which does not exist`);
    return;
  }
  throw userError(
    'PASSPHRASE_MISSING',
    'no passphrase for stack secrets: neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set',
    'export PULUMI_CONFIG_PASSPHRASE=... (the demo stacks use "gitops-demo"; `npm run demo` sets it for you)',
  );
}

/** The folder of a `file://` backend (query dropped, `~` expanded); undefined for other backends. */
export function fileBackendDir(url: string): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  return url.slice('file://'.length).split('?')[0]!.replace(/^~(?=$|\/)/, os.homedir());
}

/** A file backend's folder must exist before Pulumi opens it. */
export async function ensureFileBackend(url: string): Promise<void> {
  const dir = fileBackendDir(url);
  if (dir) await mkdir(dir, { recursive: true });
}
