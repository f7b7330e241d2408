import { afterAll, describe, expect, it } from 'vitest';
import { computeAffected } from '../../src/affected/affected.js';
import { stackIdOf } from '../../src/affected/locators.js';
import { main } from '../../src/cli/main.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { layoutAt } from '../../src/repo/layout.js';
import { loadStacks } from '../../src/stacks/load.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

const repos: GitRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.dispose();
});

async function repoWith(files: Record<string, string>): Promise<GitRepo> {
  const repo = await createGitRepo({ ...repoFiles({ web: stackFile({}) }), ...files });
  repos.push(repo);
  return repo;
}

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

describe('stack files in sub-folders of stacks/', () => {
  it('are found at any depth, named by their file name; hidden folders are not entered', async () => {
    const repo = await repoWith({
      'stacks/team-a/api.yaml': stackFile({ dependsOn: ['web'] }),
      'stacks/team-b/eu/worker.yaml': stackFile({}),
      'stacks/.drafts/idea.yaml': stackFile({}),
    });
    const catalog = await loadStacks(layoutAt(repo.dir));
    expect(catalog.stacks.map((s) => [s.name, s.file]).sort()).toEqual([
      ['api', 'stacks/team-a/api.yaml'],
      ['web', 'stacks/web.yaml'],
      ['worker', 'stacks/team-b/eu/worker.yaml'],
    ]);
    const list = await gitops(repo.dir, 'list', '--json');
    expect(list.code).toBe(0);
    expect(JSON.stringify(JSON.parse(list.stdout))).toContain('"api"');
  });

  it('two files of one stack name in different folders: exit 2, naming both files', async () => {
    const repo = await repoWith({ 'stacks/team-a/web.yaml': stackFile({}) });
    const err = await loadStacks(layoutAt(repo.dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitopsError);
    expect(exitCodeFor(err)).toBe(2);
    expect((err as GitopsError).details.join('\n')).toContain(
      'the stack name "web" is taken twice: by stacks/team-a/web.yaml and by stacks/web.yaml',
    );
    const cli = await gitops(repo.dir, 'validate');
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('stacks/team-a/web.yaml');
    expect(cli.stderr).toContain('stacks/web.yaml');
  });

  it('affected: a nested stack file changed, or deleted, is that stack', async () => {
    const repo = await repoWith({ 'stacks/team-a/api.yaml': stackFile({}), 'stacks/team-a/old.yaml': stackFile({ allowDestroy: true }) });
    await repo.git('checkout', '--quiet', '-b', 'feature');
    await repo.write({ 'stacks/team-a/api.yaml': `${stackFile({})}description: more\n` });
    await repo.remove('stacks/team-a/old.yaml');
    await repo.commit('change');
    const layout = layoutAt(repo.dir);
    const r = await computeAffected({ layout, catalog: await loadStacks(layout), base: 'main' });
    expect(r.stacks.map((s) => [s.name, s.action, s.reasons[0]!.path])).toEqual([
      ['api', 'update', 'stacks/team-a/api.yaml'],
      ['old', 'destroy', 'stacks/team-a/old.yaml'],
    ]);
    expect(r.stacks[1]!.previous?.definition?.allowDestroy).toBe(true);
  });

  it('stackIdOf takes the file name at any depth, never a schema, hidden folder or node_modules', () => {
    expect(stackIdOf('stacks/team-a/eu/api.yaml', 'stacks')).toBe('api');
    expect(stackIdOf('stacks/stack.schema.json', 'stacks')).toBeUndefined();
    expect(stackIdOf('stacks/.git/x.yaml', 'stacks')).toBeUndefined();
    expect(stackIdOf('stacks/node_modules/a/b.yaml', 'stacks')).toBeUndefined();
    expect(stackIdOf('stacksX/a.yaml', 'stacks')).toBeUndefined();
  });
});
