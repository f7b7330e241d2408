import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { type CliRun, demoEnv, gitopsBin, repoRoot } from '../helpers/sandbox.js';

/** Runs the real `gitops` binary in `cwd`, with `input` on stdin. */
function gitops(cwd: string, args: readonly string[], input = ''): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...demoEnv };
  for (const [k, v] of Object.entries(demoEnv)) if (v === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [gitopsBin, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe("a team's own repository: init, a secret by config set, deploy on the real engine", () => {
  let repo: GitRepo;
  beforeAll(async () => {
    repo = await createGitRepo({ 'package.json': '{"type":"module","private":true}\n', 'README.md': '# team infra\n' });
    await symlink(path.join(repoRoot, 'node_modules'), path.join(repo.dir, 'node_modules'), 'dir');
  });
  afterAll(async () => repo?.dispose());

  it('init writes a repository that validates and deploys, with a secret the engine decrypts', async () => {
    const init = await gitops(repo.dir, ['init', '--ci', 'github']);
    expect(init.code, init.stderr).toBe(0);
    const set = await gitops(repo.dir, ['config', 'set', 'dev', 'app:greeting', '-', '--secret'], 'hello from stdin\n');
    expect(set.code, set.stderr).toBe(0);
    expect(readFileSync(path.join(repo.dir, 'stacks/dev.yaml'), 'utf8')).not.toContain('hello from stdin');
    expect((await gitops(repo.dir, ['validate'])).code).toBe(0);
    // The first program, plus one output that proves the engine decrypted the secret: its digest
    // (the value itself is redacted wherever it would be printed).
    await writeFile(
      path.join(repo.dir, 'programs/app/index.ts'),
      `import { createHash } from 'node:crypto';\n${readFileSync(path.join(repo.dir, 'programs/app/index.ts'), 'utf8').replace(
        "  return { greeting: config.get('greeting') ?? 'hello', stack: pulumi.getStack() };",
        "  return { greeting: config.get('greeting') ?? 'hello', stack: pulumi.getStack(), digest: pulumi.unsecret(config.requireSecret('greeting')).apply((g) => createHash('sha256').update(g).digest('hex')) };",
      )}`,
    );

    // Deploy runs committed files only.
    await repo.commit('gitops init, a secret, the first program');
    const deploy = await gitops(repo.dir, ['deploy', '--all', '--json', '--quiet']);
    expect(deploy.code, deploy.stderr).toBe(0);
    const result = JSON.parse(deploy.stdout) as { stacks: { name: string; status: string; outputs?: Record<string, unknown> }[] };
    expect(result.stacks.map((s) => [s.name, s.status])).toEqual([['dev', 'succeeded']]);
    expect(result.stacks[0]!.outputs).toEqual({
      greeting: '[secret]',
      stack: 'dev',
      digest: createHash('sha256').update('hello from stdin').digest('hex'),
    });
  }, 240_000);

  it('a config value the program requires and the stack file lacks: the error names the file and gitops config set', async () => {
    await writeFile(
      path.join(repo.dir, 'programs/app/index.ts'),
      "import * as pulumi from '@pulumi/pulumi';\nexport default async () => ({ owner: new pulumi.Config().require('owner') });\n",
    );
    const preview = await gitops(repo.dir, ['preview', '--all']);
    expect(preview.code).toBe(1);
    expect(preview.stderr + preview.stdout).toContain(
      'the program needs config value app:owner, which the stack file stacks/dev.yaml does not set',
    );
    expect(preview.stderr + preview.stdout).toContain('gitops config set dev app:owner VALUE');
  }, 240_000);
});
