import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDriver } from '../helpers/build-driver.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoRoot } from '../helpers/sandbox.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cwd: string, file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd, env: { ...process.env, ...env }, maxBuffer: 1 << 26 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const engineEnv = { PULUMI_CONFIG_PASSPHRASE: 'team-passphrase', PULUMI_CONFIG_PASSPHRASE_FILE: '', GITOPS_ALLOW_EPHEMERAL_STATE: '1' };

describe('the packed tool, installed into a team repository beside its own @pulumi/pulumi', () => {
  let packDir: string;
  let repo: GitRepo;
  let gitops: (args: readonly string[]) => Promise<Run>;
  beforeAll(async () => {
    buildDriver();
    packDir = await mkdtemp(path.join(os.tmpdir(), 'gitops-pack-'));
    const packed = await run(repoRoot, 'npm', ['pack', '--ignore-scripts', '--pack-destination', packDir]);
    expect(packed.code, packed.stderr).toBe(0);
    repo = await createGitRepo({ 'package.json': '{"name":"team-infra","private":true,"type":"module"}\n', 'README.md': '# infra\n' });
    const install = await run(repo.dir, 'npm', [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      path.join(packDir, `pulumi-gitops-${version}.tgz`),
      '@pulumi/pulumi@3.248.0',
    ]);
    expect(install.code, install.stderr).toBe(0);
    const bin = path.join(repo.dir, 'node_modules', '.bin', 'gitops');
    gitops = (args) => run(repo.dir, bin, args, engineEnv);
  }, 600_000);
  afterAll(async () => {
    await repo?.dispose();
    if (packDir) await rm(packDir, { recursive: true, force: true });
  });

  it('installs only the tool: no tests, programs or sources, one @pulumi/pulumi', async () => {
    const installed = path.join(repo.dir, 'node_modules', 'pulumi-gitops');
    expect(existsSync(path.join(installed, 'dist', 'main.js'))).toBe(true);
    for (const absent of ['src', 'test', 'programs', 'docs', 'node_modules/@pulumi/pulumi'])
      expect(existsSync(path.join(installed, absent)), absent).toBe(false);
    expect(existsSync(path.join(repo.dir, 'node_modules', '@pulumi', 'aws'))).toBe(false);
    expect((await gitops(['--version'])).stdout.trim()).toBe(version);
  });

  it('init, validate, preview, deploy, drift and status, on the real engine', async () => {
    const init = await gitops(['init', '--ci', 'gitlab']);
    expect(init.code, init.stderr).toBe(0);
    expect(readFileSync(path.join(repo.dir, '.gitlab-ci.yml'), 'utf8')).toBe(readFileSync(path.join(repoRoot, '.gitlab-ci.yml'), 'utf8'));
    await repo.commit('gitops init');
    expect((await gitops(['validate'])).code).toBe(0);
    const preview = await gitops(['preview', '--all', '--json', '--quiet']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(JSON.parse(preview.stdout).stacks[0].changes.create).toBe(1);
    const deploy = await gitops(['deploy', '--all', '--json', '--quiet']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(JSON.parse(deploy.stdout).stacks[0].outputs).toEqual({ greeting: 'hello', stack: 'dev' });
    const drift = await gitops(['drift', '--all', '--json', '--quiet']);
    expect(drift.code, drift.stderr).toBe(0);
    const status = await gitops(['status', '--json', '--quiet']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).stacks[0]).toMatchObject({ name: 'dev', deployedCommit: { full: await repo.sha() } });
  }, 600_000);
});
