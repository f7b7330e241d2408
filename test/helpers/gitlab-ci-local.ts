import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Log } from '../../src/toolchain/go-build.js';
import { onPath } from '../../src/toolchain/on-path.js';
import { gitlabCiLocal, runTool } from './ci-tools.js';
import { aptInstall } from './toolchain/apt.js';

/**
 * The commands the GitLab template's jobs and gitlab-ci-local's shell executor use beyond Node.js
 * and git: rsync (the executor copies each job's checkout with it), curl and unzip (the deploy
 * job's plan fetch), zip (the test packs the preview's artifacts as GitLab would). Each one
 * missing from PATH is installed from Debian's package of the same name via apt-get (root only).
 * Throws naming what to install when that fails, so the template tests fail instead of skipping.
 */
export async function ensureCiCommands(env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  const missing = () => ciCommands.filter((name) => !onPath(env, name));
  if (missing().length > 0) await aptInstall(missing(), env, log);
  const still = missing();
  if (still.length > 0)
    throw new Error(
      `${still.join(', ')} not installed, and apt-get could not install them (not root, or no package source): ` +
        "the GitLab template's jobs under gitlab-ci-local need them (test/e2e/gitlab-template-jobs.test.ts). " +
        `Install them (Debian: apt-get install ${still.join(' ')}) and run again.`,
    );
}

const ciCommands = ['rsync', 'curl', 'zip', 'unzip'];

/** The folder name gitlab-ci-local gives a job (`drift: [1/4]` is `driftOiBb1Lw4XQ`): other characters base64url-encoded. */
export function safeJobName(job: string): string {
  return job.replace(/[^\w-]+/g, (s) => Buffer.from(s).toString('base64url'));
}

/** One gitlab-ci-local run: its own exit code, what it printed, and each job's exit code. */
export interface PipelineRun {
  code: number;
  output: string;
  /** Each job that ran, by name: its script's exit code (0 when it passed). */
  jobs: Record<string, number>;
  /** The job's log as gitlab-ci-local kept it. */
  log(job: string): Promise<string>;
  /** The folder holding the artifacts the job saved (their paths as in the job's checkout). */
  artifacts(job: string): string;
}

export interface PipelineOptions {
  /** The repository the pipeline runs for (its .gitlab-ci.yml, its git HEAD). */
  cwd: string;
  /** gitlab-ci-local's state folder, relative to `cwd`: one per pipeline keeps their artifacts apart. */
  stateDir: string;
  jobs: readonly string[];
  /** The pipeline's CI/CD variables, overriding the template's own as project variables do. */
  variables: Record<string, string>;
  /** The environment the runner (and so each job's shell) starts with. */
  env: NodeJS.ProcessEnv;
}

/**
 * Runs `jobs` of `cwd`'s .gitlab-ci.yml with gitlab-ci-local's shell executor, one job at a time,
 * each in its own copy of the checkout (`--shell-isolation`, as a runner clones afresh), the
 * images ignored (`--force-shell-executor`: no container engine here). A job's exit code comes
 * from the line gitlab-ci-local prints when it finishes (`FAIL n`, `WARN n`, or nothing: 0).
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineRun> {
  const args = [gitlabCiLocal, '--force-shell-executor', '--shell-isolation', '--no-artifacts-to-source', '--concurrency', '1'];
  args.push('--state-dir', options.stateDir, '--home', path.join(options.cwd, options.stateDir, 'home'));
  args.push('--ignore-predefined-vars', Object.keys(options.variables).join(','));
  for (const [k, v] of Object.entries(options.variables)) args.push('--variable', `${k}=${v}`);
  const run = await runTool(process.execPath, [...args, ...options.jobs], options.cwd, options.env);
  const output = `${run.stdout}${run.stderr}`;
  const jobs: Record<string, number> = {};
  for (const m of output.matchAll(/^(\S.*?)\s+finished in [\d.]+ \w+(?:\s+(?:FAIL|WARN) (\d+))?\s*$/gm)) jobs[m[1]!] = Number(m[2] ?? 0);
  const state = path.join(options.cwd, options.stateDir);
  return {
    code: run.code,
    output,
    jobs,
    log: (job) => readFile(path.join(state, 'output', `${safeJobName(job)}.log`), 'utf8'),
    artifacts: (job) => path.join(state, 'artifacts', safeJobName(job)),
  };
}
