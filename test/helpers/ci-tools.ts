import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { goBuild, type Log } from '../../src/toolchain/go-build.js';
import { ensureCachedBinary, toolCacheDir } from '../../src/toolchain/tool-cache.js';
import { repoRoot } from './sandbox.js';

const run = promisify(execFile);

/** The GitHub workflow linter, a Go module served by the module proxy. */
export const ACTIONLINT_VERSION = '1.7.12';

/** What a linter printed and how it exited. */
export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The actionlint binary: built once from the Go module proxy in a wrapper module (like the
 * Pulumi toolchain pieces) and cached per user and version under ~/.pulumi/gitops-tools.
 */
export async function ensureActionlint(env: NodeJS.ProcessEnv, log: Log): Promise<string> {
  const binary = path.join(toolCacheDir(env, 'actionlint', ACTIONLINT_VERSION), 'actionlint');
  await ensureCachedBinary(binary, log, () =>
    goBuild(
      {
        label: `actionlint v${ACTIONLINT_VERSION}`,
        mainPackage: 'github.com/rhysd/actionlint/cmd/actionlint',
        requires: { 'github.com/rhysd/actionlint': `v${ACTIONLINT_VERSION}` },
        ldflags: `-s -w -X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}`,
        output: binary,
      },
      env,
      log,
    ),
  );
  return binary;
}

/** Runs `binary args` in `cwd`; a non-zero exit is a result, not an error. */
export async function runTool(binary: string, args: readonly string[], cwd: string, env = process.env): Promise<ToolRun> {
  try {
    const { stdout, stderr } = await run(binary, [...args], { cwd, env, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * A throwaway git repository holding copies of this checkout's CI files, for tools that read
 * the repository they run in (gitlab-ci-local wants a git work tree and writes a state folder).
 */
export async function ciFilesRepo(): Promise<{ root: string; dispose: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'gitops-ci-files-'));
  for (const rel of ['.gitlab-ci.yml', '.github']) await cp(path.join(repoRoot, rel), path.join(root, rel), { recursive: true });
  const who = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const gitEnv = { ...process.env, ...who };
  await run('git', ['init', '-q', '-b', 'main'], { cwd: root, env: gitEnv });
  await run('git', ['add', '.'], { cwd: root, env: gitEnv });
  await run('git', ['commit', '-q', '-m', 'ci files'], { cwd: root, env: gitEnv });
  await mkdir(path.join(root, 'home'));
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

/** The gitlab-ci-local CLI of devDependencies (4.53.0: the newest that runs on Node 20). */
export const gitlabCiLocal = path.join(repoRoot, 'node_modules', 'gitlab-ci-local', 'src', 'index.js');
