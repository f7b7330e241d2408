import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { layoutAt } from '../../src/repo/layout.js';
import { loadStacks } from '../../src/stacks/load.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';

const root = path.resolve(import.meta.dirname, '../..');
const repos: GitRepo[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const r of repos) await r.dispose();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function gitops(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    env: { PATH: process.env.PATH },
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    },
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

/** Every file below `dir` (outside .git) with its text: to tell that a run changed nothing. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, full);
    if (!entry.isFile() || rel.startsWith('.git/') || rel === '.git') continue;
    out[rel] = await readFile(full, 'utf8');
  }
  return out;
}

async function teamRepo(files: Record<string, string> = {}): Promise<GitRepo> {
  const repo = await createGitRepo({ 'README.md': '# infra\n', '.gitignore': 'dist', ...files });
  repos.push(repo);
  return repo;
}

describe('gitops init', () => {
  it('sets up a git repository with GitLab CI: settings, stack, program, schema, .gitignore, next steps; it validates', async () => {
    const repo = await teamRepo();
    const r = await gitops(repo.dir, 'init', '--ci', 'gitlab', '--name', 'team-infra');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of [
      'Pulumi.yaml',
      'stacks/dev.yaml',
      'stacks/stack.schema.json',
      'programs/app/index.ts',
      'programs/app/package.json',
      '.gitlab-ci.yml',
    ]) {
      expect(r.stdout).toContain(`wrote ${f}`);
    }
    expect(readFileSync(path.join(repo.dir, 'Pulumi.yaml'), 'utf8')).toContain('name: team-infra\nruntime: nodejs\n');
    expect(readFileSync(path.join(repo.dir, '.gitlab-ci.yml'), 'utf8')).toBe(readFileSync(path.join(root, '.gitlab-ci.yml'), 'utf8'));
    expect(readFileSync(path.join(repo.dir, '.gitignore'), 'utf8')).toBe('dist\n\n# gitops\nnode_modules/\n.gitops/\n.cache/\n');
    expect(r.stdout).toContain('Next steps:');
    expect(r.stdout).toContain('GITOPS_GITLAB_MR_TOKEN');
    expect(r.stdout).toContain('role Reporter, scope `api`');
    expect(r.stdout).toContain('npx gitops preview --all');
    const catalog = await loadStacks(layoutAt(repo.dir));
    expect(catalog.stacks.map((s) => [s.name, s.program])).toEqual([['dev', 'app']]);
    // validate loads the program, which needs the team's @pulumi/pulumi: until it is installed, it says so.
    const early = await gitops(repo.dir, 'validate');
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('programs/app/index.ts: the program app cannot run (loaded as stack dev)');
    expect(early.stderr).toContain('cannot find @pulumi/pulumi');
    // Installed: the program loads (its folder's package.json makes it the ES module it is written as).
    await symlink(path.join(root, 'node_modules'), path.join(repo.dir, 'node_modules'), 'dir');
    const validate = await gitops(repo.dir, 'validate');
    expect(validate.stderr).toBe('1 stack valid: dev\n');
    expect(validate.code).toBe(0);
  });

  it('a second run changes nothing and says so', async () => {
    const repo = await teamRepo();
    expect((await gitops(repo.dir, 'init', '--ci', 'github')).code).toBe(0);
    const before = await snapshot(repo.dir);
    const again = await gitops(repo.dir, 'init', '--ci', 'github');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is already set up: nothing written');
    expect(await snapshot(repo.dir)).toEqual(before);
    expect(before['.github/workflows/gitops.yml']).toBe(readFileSync(path.join(root, '.github/workflows/gitops.yml'), 'utf8'));
  });

  it('GitHub: the next steps name the secrets, variables and the production environment', async () => {
    const repo = await teamRepo();
    const r = await gitops(repo.dir, 'init', '--ci', 'github');
    expect(r.stdout).toContain('PRODUCTION_PULUMI_CONFIG_PASSPHRASE (secret)');
    expect(r.stdout).toContain('`production` environment secrets and variables:');
  });

  it('never overwrites: an existing file that differs is named, exit 2, and nothing is written', async () => {
    const repo = await teamRepo({ 'Pulumi.yaml': 'name: theirs\nruntime: nodejs\n', 'programs/app/index.ts': 'export const x = 1;\n' });
    const before = await snapshot(repo.dir);
    const r = await gitops(repo.dir, 'init', '--ci', 'gitlab');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gitops init would overwrite 2 existing files');
    expect(r.stderr).toContain('Pulumi.yaml exists');
    expect(r.stderr).toContain('programs/app/index.ts exists');
    expect(await snapshot(repo.dir)).toEqual(before);
  });

  it('outside a git repository: exit 2, nothing written', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-init-nogit-'));
    dirs.push(dir);
    const r = await gitops(dir, 'init');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not inside a git repository');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a forge it does not know', async () => {
    const repo = await teamRepo();
    const r = await gitops(repo.dir, 'init', '--ci', 'bitbucket');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ci "bitbucket": expected one of');
  });
});
