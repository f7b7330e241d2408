import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
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

/** The gitlab-ci-local CLI of devDependencies (4.73.0: the newest that runs on Node 20; 4.64 and later have the shell executor for jobs with images). */
export const gitlabCiLocal = path.join(repoRoot, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');

/** A GitHub workflow step, as the templates' tests read it. */
interface WorkflowStep {
  name?: string;
  run?: string;
}

/**
 * The shell the templates run to fetch the merged change's plans and to deploy, read from this
 * checkout's templates: GitHub's steps by name, GitLab's `.fetch-plans` block and job scripts.
 */
export async function templateScripts(): Promise<{
  github: { fetchPlans: string; deploy: string };
  gitlab: { fetchPlans: string; deploy: string[]; deployUnbound: string[] };
}> {
  const gh = parse(await readFile(path.join(repoRoot, '.github/workflows/gitops.yml'), 'utf8')) as {
    jobs: { deploy: { steps: WorkflowStep[] } };
  };
  const step = (name: string) => {
    const run = gh.jobs.deploy.steps.find((s) => s.name === name)?.run;
    if (!run) throw new Error(`.github/workflows/gitops.yml: the deploy job has no step "${name}"`);
    return run;
  };
  const gl = parse(await readFile(path.join(repoRoot, '.gitlab-ci.yml'), 'utf8')) as Record<string, { script?: string[] } | string>;
  const script = (job: string) => {
    const lines = (gl[job] as { script?: string[] } | undefined)?.script;
    if (!lines) throw new Error(`.gitlab-ci.yml has no job ${job}`);
    return lines;
  };
  return {
    github: { fetchPlans: step('Fetch the reviewed plans'), deploy: step('Deploy') },
    gitlab: { fetchPlans: String(gl['.fetch-plans']), deploy: script('deploy'), deployUnbound: script('deploy-unbound') },
  };
}

/**
 * Runs a CI shell script as the runners do (bash, exit on the first failure, pipefail) in `cwd`
 * with `env` on top of PATH and HOME only: nothing else of the test's environment leaks in.
 */
export function runCiShell(script: string, cwd: string, env: Record<string, string>): Promise<ToolRun> {
  return runTool('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], cwd, {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...env,
  });
}
