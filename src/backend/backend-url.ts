import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { GitopsError, userError } from '../errors/gitops-error.js';
import type { RepoLayout } from '../repo/layout.js';
import { userHome } from '../toolchain/pulumi-home.js';

/**
 * The state backend: `PULUMI_BACKEND_URL`, else `backend.url` of the root Pulumi.yaml, else a
 * file backend inside the repository (`.gitops/state`, ignored by git) so a fresh clone works.
 * A relative `file://` path in Pulumi.yaml is relative to the repository root. Throws in CI when
 * the state would vanish with the job ({@link checkDurableState}).
 */
export function resolveBackendUrl(
  layout: RepoLayout,
  env: NodeJS.ProcessEnv,
  /**
   * The root Pulumi.yaml's text to read `backend.url` from instead of the working tree's: a
   * merge request's jobs take it from the base, so the change cannot send the job's
   * credentials to a backend of its choosing. Null: the base has no Pulumi.yaml.
   */
  projectText?: string | null,
): string {
  const url = backendUrlOf(layout, env, projectText);
  checkBackendUrl(url, env.PULUMI_BACKEND_URL ? 'PULUMI_BACKEND_URL' : 'backend.url in Pulumi.yaml');
  checkDurableState(url, layout, env);
  return url;
}

function backendUrlOf(layout: RepoLayout, env: NodeJS.ProcessEnv, projectText: string | null | undefined): string {
  const projectFile = path.join(layout.root, 'Pulumi.yaml');
  // Read (and so checked) even when PULUMI_BACKEND_URL wins: a broken Pulumi.yaml is an error either way.
  const fromEnv = env.PULUMI_BACKEND_URL ? expandHome(env.PULUMI_BACKEND_URL, env) : undefined;
  if (fromEnv && (projectText === null || (projectText === undefined && !existsSync(projectFile)))) return fromEnv;
  let configured: unknown;
  try {
    const text = projectText === undefined ? readFileSync(projectFile, 'utf8') : (projectText ?? '');
    configured = (parse(text) as { backend?: { url?: unknown } } | null)?.backend?.url;
  } catch (err) {
    throw new GitopsError({
      code: 'USAGE',
      kind: 'user',
      message: `${projectFile}: cannot read it: ${(err as Error).message}`,
      cause: err,
    });
  }
  if (configured !== undefined && typeof configured !== 'string') throw userError('USAGE', `${projectFile}: backend.url must be a string`);
  if (fromEnv) return fromEnv;
  if (typeof configured === 'string' && configured !== '') {
    if (configured.startsWith('file://') && !configured.startsWith('file:///') && !configured.startsWith('file://~')) {
      return `file://${path.resolve(layout.root, configured.slice('file://'.length))}`;
    }
    return expandHome(configured, env);
  }
  return `file://${path.join(layout.workDir, 'state')}`;
}

/** The state backends Pulumi 3.248 opens: DIY (file, S3, GCS, Azure Blob, PostgreSQL) and Pulumi Cloud (http/https). */
const backendSchemes = new Set(['file', 's3', 'gs', 'azblob', 'postgres', 'http', 'https']);

/**
 * Pseudo-file systems: a "state folder" there never holds state, and reads in /proc can block
 * for ever (the CLI would hang before its first output, deaf to one SIGTERM).
 */
const pseudoFileSystems = ['/proc', '/sys', '/dev'];

/**
 * Refuses a backend URL no engine could open, before anything starts: an unknown scheme, or a
 * file backend in a pseudo-file system. The message names where the URL came from and shows
 * only its scheme and path (a query may hold credentials).
 */
export function checkBackendUrl(url: string, source: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const shown = url.split('?')[0]!.replace(/\/\/[^/@]*@/, '//');
  if (!scheme || !backendSchemes.has(scheme)) {
    throw userError(
      'USAGE',
      `${source}: state backend ${shown} is not one Pulumi opens${scheme ? ` (unknown scheme ${scheme}://)` : ' (no scheme)'}; nothing ran`,
      `use file://PATH, s3://BUCKET, gs://BUCKET, azblob://CONTAINER, postgres://... or https://api.pulumi.com`,
    );
  }
  const dir = fileBackendDir(url);
  if (dir === undefined) return;
  const full = path.resolve(dir);
  const real = realPath(full);
  const pseudo = pseudoFileSystems.find((p) => [full, real].some((d) => d === p || d.startsWith(`${p}/`)));
  if (pseudo)
    throw userError(
      'USAGE',
      `${source}: state backend ${shown} is in ${pseudo}, a pseudo-file system that holds no state; nothing ran`,
      'point it at a real folder',
    );
}

/**
 * `file://~/x` becomes `file://$HOME/x`: the CLI would expand `~` through the user database,
 * which is not $HOME in CI containers, and we create and read the folder ourselves.
 */
function expandHome(url: string, env: NodeJS.ProcessEnv): string {
  return url.replace(/^file:\/\/~(?=$|\/|\?)/, `file://${userHome(env)}`);
}

/**
 * Secrets use the passphrase provider. Checked before anything runs, so a missing or empty
 * passphrase never leaves a half-made stack behind. Pulumi reads `PULUMI_CONFIG_PASSPHRASE`
 * when it is set, even empty, else the file `PULUMI_CONFIG_PASSPHRASE_FILE` names, trimmed; an
 * empty passphrase would encrypt the stack's secrets with no key at all, so it is refused.
 * `variable` names another passphrase variable (a stack's `secrets.passphraseEnv`), without the
 * file fallback.
 */
export function checkPassphrase(env: NodeJS.ProcessEnv, variable = 'PULUMI_CONFIG_PASSPHRASE'): void {
  const value = env[variable];
  if (value !== undefined) {
    if (value === '') throw emptyPassphrase(`${variable} is set but empty`);
    if (value.trim() === '') throw emptyPassphrase(`${variable} is only whitespace`);
    return;
  }
  const file = variable === 'PULUMI_CONFIG_PASSPHRASE' ? env.PULUMI_CONFIG_PASSPHRASE_FILE : undefined;
  if (file) {
    if (!existsSync(file)) throw userError('PASSPHRASE_MISSING', `PULUMI_CONFIG_PASSPHRASE_FILE names ${file}, which does not exist`);
    if (readFileSync(file, 'utf8').trim() === '') throw emptyPassphrase(`PULUMI_CONFIG_PASSPHRASE_FILE names ${file}, which is empty`);
    return;
  }
  throw userError(
    'PASSPHRASE_MISSING',
    variable === 'PULUMI_CONFIG_PASSPHRASE'
      ? 'no passphrase for stack secrets: neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set'
      : `no passphrase for stack secrets: ${variable} is not set`,
    'export PULUMI_CONFIG_PASSPHRASE=... (the demo stacks use "gitops-demo"; `npm run demo` sets it for you)',
  );
}

function emptyPassphrase(what: string): GitopsError {
  const message = `${what}: an empty or blank passphrase would leave stack secrets unprotected`;
  return userError('PASSPHRASE_INVALID', message, 'set a passphrase that is not empty or blank');
}

/** Whether `env` says we run in CI: GitLab and GitHub set `CI=true`. */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}

/**
 * In CI, refuses a file backend inside the checkout: the job's folder is deleted when the job
 * ends, so every run would start from an empty state and create every resource again.
 * `GITOPS_ALLOW_EPHEMERAL_STATE=1` allows it (tests, throwaway demos).
 */
export function checkDurableState(backendUrl: string, layout: RepoLayout, env: NodeJS.ProcessEnv): void {
  if (!isCi(env) || env.GITOPS_ALLOW_EPHEMERAL_STATE === '1') return;
  const dir = fileBackendDir(backendUrl);
  if (dir === undefined) return;
  // On the real path: a symlink into the checkout, or /proc/self/cwd/..., is still inside it.
  const inside = path.relative(realPath(layout.root), realPath(path.resolve(layout.root, dir)));
  if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) return;
  throw userError(
    'USAGE',
    `state backend ${backendUrl} is inside the checkout (${layout.root}): in CI it vanishes with the job, ` +
      'and the next run would create every resource again',
    'set PULUMI_BACKEND_URL (or backend.url in Pulumi.yaml) to shared state such as s3://bucket; ' +
      'GITOPS_ALLOW_EPHEMERAL_STATE=1 allows a throwaway state',
  );
}

/** A path with every symlink resolved, also for a folder not created yet (its nearest existing parent is resolved). */
function realPath(p: string): string {
  const rest: string[] = [];
  let dir = p;
  while (!existsSync(dir) && path.dirname(dir) !== dir) {
    rest.unshift(path.basename(dir));
    dir = path.dirname(dir);
  }
  try {
    return path.join(realpathSync(dir), ...rest);
  } catch {
    return p;
  }
}

/** The folder of a `file://` backend (any case of the scheme, query dropped, `~` expanded); undefined for other backends. */
export function fileBackendDir(url: string): string | undefined {
  if (!/^file:\/\//i.test(url)) return undefined;
  return url
    .slice('file://'.length)
    .split('?')[0]!
    .replace(/^~(?=$|\/)/, os.homedir());
}

/** A file backend's folder must exist before Pulumi opens it. */
export async function ensureFileBackend(url: string): Promise<void> {
  const dir = fileBackendDir(url);
  if (!dir) return;
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new GitopsError({
      code: 'USAGE',
      kind: 'user',
      message: `state backend ${url}: cannot create its folder ${dir} (${why}); nothing ran`,
      hint: 'point PULUMI_BACKEND_URL (or backend.url in Pulumi.yaml) at a folder this job can write',
      cause: err,
    });
  }
}
