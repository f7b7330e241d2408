import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository under test (this checkout). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const gitopsBin = path.join(repoRoot, 'bin', 'gitops.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  root: string;
  /** Runs the real `gitops` binary in the sandbox. */
  run(args: readonly string[], env?: Record<string, string | undefined>): Promise<CliRun>;
  write(relPath: string, text: string): Promise<void>;
  remove(relPath: string): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Environment for the demo stacks: the demo passphrase, nothing inherited that could change the
 * backend. The state lives in the throwaway copy on purpose, also when the tests run in CI (CI=true).
 */
export const demoEnv: Record<string, string | undefined> = {
  PULUMI_CONFIG_PASSPHRASE: 'gitops-demo',
  PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
  PULUMI_BACKEND_URL: undefined,
  GITOPS_ALLOW_EPHEMERAL_STATE: '1',
};

/**
 * The environment of a `gitops` run in a test: this process's, without the variables a CI job
 * sets about its pipeline and forge (`CI_*`, `GITLAB_*`, `GITHUB_*`), so a test behaves the same
 * in a merge request pipeline as anywhere; `env` adds (undefined removes).
 */
export function testRunEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CI_|GITLAB_|GITHUB_)/.test(k)));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

export function runBin(cwd: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const merged = testRunEnv(env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [gitopsBin, ...args], { cwd, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * A throwaway copy of this repository's stacks/ and programs/ (plus Pulumi.yaml), with
 * node_modules linked in, so a test deploys for real without touching the checkout.
 * `stacks` replaces the stack files when given.
 */
export async function createSandbox(options: { stacks?: Record<string, string>; keepStacks?: boolean } = {}): Promise<Sandbox> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'gitops-test-'));
  await cp(path.join(repoRoot, 'programs'), path.join(root, 'programs'), { recursive: true });
  await cp(path.join(repoRoot, 'Pulumi.yaml'), path.join(root, 'Pulumi.yaml'));
  await mkdir(path.join(root, 'stacks'));
  if (!options.stacks || options.keepStacks) await cp(path.join(repoRoot, 'stacks'), path.join(root, 'stacks'), { recursive: true });
  for (const [name, text] of Object.entries(options.stacks ?? {})) await writeFile(path.join(root, 'stacks', `${name}.yaml`), text);
  await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  await writeFile(path.join(root, 'package.json'), '{"type":"module","private":true}\n');
  return {
    root,
    run: (args, env = {}) => runBin(root, args, { ...demoEnv, ...env }),
    write: async (rel, text) => {
      await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await writeFile(path.join(root, rel), text);
    },
    remove: (rel) => rm(path.join(root, rel), { recursive: true, force: true }),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
