import { afterAll, describe, expect, it } from 'vitest';
import { type AffectedOptions, computeAffected, computeAffectedFromFiles, parseFileList } from '../../src/affected/affected.js';
import type { AffectedResult } from '../../src/affected/model.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { layoutAt } from '../../src/repo/layout.js';
import { loadStacks } from '../../src/stacks/load.js';
import { createGitRepo, type GitRepo, platformFiles, stackYaml } from '../helpers/git-repo.js';

const repos: GitRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.dispose();
});

interface Edit {
  write?: Record<string, string>;
  remove?: string[];
}

/** The platform scenario with `edit` committed on branch `feature` (checked out), and `onMain` committed on main afterwards. */
async function scenario(edit: Edit, onMain?: Edit, files = platformFiles()): Promise<GitRepo> {
  const repo = await createGitRepo(files);
  repos.push(repo);
  if (onMain) {
    await repo.git('checkout', '--quiet', '-b', 'feature');
    await repo.git('checkout', '--quiet', 'main');
    await apply(repo, onMain);
    await repo.commit('main moves on');
    await repo.git('checkout', '--quiet', 'feature');
  } else {
    await repo.git('checkout', '--quiet', '-b', 'feature');
  }
  await apply(repo, edit);
  await repo.commit('feature change');
  return repo;
}

async function apply(repo: GitRepo, edit: Edit): Promise<void> {
  if (edit.write) await repo.write(edit.write);
  if (edit.remove) await repo.remove(...edit.remove);
}

async function affected(repo: GitRepo, options: Partial<AffectedOptions> = {}, root = repo.dir): Promise<AffectedResult> {
  const layout = layoutAt(root);
  return computeAffected({ layout, catalog: await loadStacks(layout), base: 'main', ...options });
}

const names = (r: AffectedResult) => r.stacks.map((s) => s.name);
const stack = (r: AffectedResult, name: string) => r.stacks.find((s) => s.name === name);

describe('computeAffected on real repositories', () => {
  it('a changed stack file affects its stack and, through dependsOn, the stacks after it', async () => {
    const repo = await scenario({ write: { 'stacks/network.yaml': `${stackYaml('network')}description: bigger\n` } });
    const r = await affected(repo);
    expect(names(r)).toEqual(['app', 'database', 'network']);
    expect(stack(r, 'network')!.reasons).toEqual([{ kind: 'stack-file', path: 'stacks/network.yaml' }]);
    expect(stack(r, 'database')!.reasons).toEqual([{ kind: 'dependency', stack: 'network' }]);
    expect(stack(r, 'app')!.reasons).toEqual([{ kind: 'dependency', stack: 'database' }]);
    expect(r.stacks.every((s) => s.action === 'update')).toBe(true);
    expect(r.base).toBe(await repo.sha('main'));
    expect(r.head).toBe(await repo.sha('feature'));
    expect(r.mergeBase).toBe(await repo.sha('main'));
    expect(r.warnings).toEqual([]);
  });

  it('a file of a program folder affects the stacks running it, matching whole path segments', async () => {
    const repo = await scenario({ write: { 'programs/app/helper.ts': 'export const helper = (n: number) => n + 2;\n' } });
    const r = await affected(repo);
    expect(names(r)).toEqual(['app']);
    expect(stack(r, 'app')!.reasons).toEqual([{ kind: 'program', path: 'programs/app/helper.ts' }]);

    const v2 = await scenario({ write: { 'programs/app-v2/index.ts': 'export default async () => ({ v: 3 });\n' } });
    expect(names(await affected(v2))).toEqual(['app-v2']);
  });

  it('follows imports into shared folders: .js -> .ts, re-exports, index files, dynamic import(), type imports', async () => {
    const reExport = await affected(
      await scenario({ write: { 'programs/shared/tags-impl.ts': 'export const tag = (s: string) => s;\n' } }),
    );
    expect(names(reExport)).toEqual(['app', 'database', 'network']);
    expect(stack(reExport, 'network')!.reasons).toEqual([
      {
        kind: 'import',
        path: 'programs/shared/tags-impl.ts',
        via: ['programs/network/index.ts', 'programs/shared/tags.ts', 'programs/shared/tags-impl.ts'],
      },
    ]);

    const indexFile = await affected(await scenario({ write: { 'lib/naming/format.ts': 'export const name = (s: string) => s;\n' } }));
    expect(names(indexFile)).toEqual(['app', 'database']);
    expect(stack(indexFile, 'database')!.reasons[0]).toMatchObject({
      kind: 'import',
      via: ['programs/database/index.ts', 'lib/naming/index.ts', 'lib/naming/format.ts'],
    });

    const dynamic = await affected(await scenario({ write: { 'programs/shared/lazy.ts': 'export const value = 43;\n' } }));
    expect(names(dynamic)).toEqual(['tools']);

    const typeOnly = await affected(
      await scenario({ write: { 'programs/shared/types.ts': 'export interface Options { size: number; name?: string }\n' } }),
    );
    expect(names(typeOnly)).toEqual(['app']);
  });

  it('changes no program reaches affect nothing, and say so with the files they were', async () => {
    const r = await affected(
      await scenario({
        write: {
          'programs/shared/unused.ts': 'export const nobody = 1;\n',
          'docs/runbook.md': 'new\n',
          'stacks/stack.schema.json': '{"x":1}\n',
        },
      }),
    );
    expect(r.stacks).toEqual([]);
    expect(r.changes.map((c) => c.path).sort()).toEqual(['docs/runbook.md', 'programs/shared/unused.ts', 'stacks/stack.schema.json']);
  });

  it('a root file every stack depends on affects every stack', async () => {
    const r = await affected(await scenario({ write: { 'tsconfig.json': '{"compilerOptions":{"module":"NodeNext","strict":true}}\n' } }));
    expect(names(r)).toEqual(['app', 'app-v2', 'database', 'legacy', 'network', 'tools']);
    expect(stack(r, 'legacy')!.reasons).toEqual([{ kind: 'root-file', path: 'tsconfig.json' }]);
    expect(stack(r, 'app')!.reasons[0]).toEqual({ kind: 'root-file', path: 'tsconfig.json' });
  });

  it('a deleted stack file is a stack to destroy, with its last definition read at the merge-base', async () => {
    const r = await affected(await scenario({ remove: ['stacks/legacy.yaml', 'stacks/app-v2.yaml'] }));
    expect(names(r)).toEqual(['app-v2', 'legacy']);
    const legacy = stack(r, 'legacy')!;
    expect(legacy.action).toBe('destroy');
    expect(legacy.reasons).toEqual([{ kind: 'deleted', path: 'stacks/legacy.yaml' }]);
    expect(legacy.previous).toMatchObject({ file: 'stacks/legacy.yaml', text: stackYaml('legacy', { allowDestroy: true }), problems: [] });
    expect(legacy.previous!.definition).toMatchObject({ name: 'legacy', program: 'legacy', allowDestroy: true });
    expect(stack(r, 'app-v2')!.previous!.definition!.allowDestroy).toBe(false);
  });

  it('a renamed stack file destroys the old stack id and updates the new one', async () => {
    const repo = await scenario({ remove: ['stacks/app-v2.yaml'], write: { 'stacks/app-next.yaml': stackYaml('app-v2') } });
    const r = await affected(repo);
    expect(r.changes).toEqual([{ status: 'R', path: 'stacks/app-next.yaml', oldPath: 'stacks/app-v2.yaml' }]);
    expect(r.stacks.map((s) => [s.name, s.action])).toEqual([
      ['app-next', 'update'],
      ['app-v2', 'destroy'],
    ]);
    expect(stack(r, 'app-v2')!.previous!.definition!.program).toBe('app-v2');
  });

  it("diffs from the merge-base: what the base branch changed since is not the merge request's", async () => {
    const repo = await scenario(
      { write: { 'programs/legacy/index.ts': 'export default async () => ({ a: 1 });\n' } },
      { write: { 'programs/network/index.ts': 'export default async () => ({});\n' } },
    );
    const r = await affected(repo);
    expect(names(r)).toEqual(['legacy']);
    expect(r.base).toBe(await repo.sha('main'));
    expect(r.mergeBase).toBe(await repo.sha('feature~1'));
    expect(r.mergeBase).not.toBe(r.base);
  });

  it('works when the GitOps root is a folder below the git top level', async () => {
    const files = Object.fromEntries(Object.entries(platformFiles()).map(([p, t]) => [`infra/${p}`, t]));
    const repo = await scenario(
      {
        write: {
          'infra/programs/app/helper.ts': 'export const helper = () => 0;\n',
          'other/package.json': '{}\n',
          'infra/stacks/tools.yaml': `${stackYaml('tools')}description: x\n`,
        },
      },
      undefined,
      files,
    );
    const r = await affected(repo, {}, `${repo.dir}/infra`);
    expect(names(r)).toEqual(['app', 'tools']);
    expect(stack(r, 'app')!.reasons).toEqual([{ kind: 'program', path: 'programs/app/helper.ts' }]);
  });

  it('takes an explicit head, and warns when it is not the checked-out commit', async () => {
    const repo = await scenario({ write: { 'programs/legacy/index.ts': 'export default async () => ({ b: 1 });\n' } });
    const here = await affected(repo, { head: 'feature' });
    expect(here.warnings).toEqual([]);
    await repo.git('checkout', '--quiet', 'main');
    const there = await affected(repo, { head: 'feature' });
    expect(names(there)).toEqual(['legacy']);
    expect(there.warnings).toHaveLength(1);
    expect(there.warnings[0]).toContain('is not the checked-out commit');
  });

  it('head equal to base: nothing changed, with the merge-base being that commit', async () => {
    const repo = await scenario({ write: { 'docs/runbook.md': 'y\n' } });
    const r = await affected(repo, { base: 'feature' });
    const sha = await repo.sha('feature');
    expect(r).toEqual({ base: sha, head: sha, mergeBase: sha, changes: [], stacks: [], warnings: [] });
  });

  it('an unknown --base or --head ref is a usage error (exit 2) naming the flag and the ref', async () => {
    const repo = await scenario({ write: { 'docs/runbook.md': 'x\n' } });
    const err = await affected(repo, { base: 'no-such-branch' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitopsError);
    expect((err as GitopsError).code).toBe('USAGE');
    expect(exitCodeFor(err)).toBe(2);
    expect((err as GitopsError).message).toBe('--base no-such-branch: not a commit in this repository; nothing ran');
    const head = await affected(repo, { base: 'main', head: 'no-such-head' }).catch((e: unknown) => e);
    expect((head as GitopsError).message).toBe('--head no-such-head: not a commit in this repository; nothing ran');
  });

  it('base and head without common history: HISTORY_MISSING, or every stack with allOnMissingHistory', async () => {
    const repo = await scenario({ write: { 'docs/runbook.md': 'x\n' } });
    await repo.git('checkout', '--quiet', '--orphan', 'unrelated');
    await repo.commit('another history');
    await repo.git('checkout', '--quiet', 'feature');
    const err = await affected(repo, { base: 'unrelated' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitopsError);
    expect((err as GitopsError).code).toBe('HISTORY_MISSING');
    expect((err as GitopsError).message).toContain('no common ancestor');

    const events: unknown[] = [];
    const all = await affected(repo, { base: 'unrelated', allOnMissingHistory: true, onEvent: (e) => events.push(e) });
    expect(names(all)).toEqual(['app', 'app-v2', 'database', 'legacy', 'network', 'tools']);
    expect(all.stacks.every((s) => s.reasons.length === 1 && s.reasons[0]!.kind === 'history-missing')).toBe(true);
    expect(all.mergeBase).toBeNull();
    expect(all.base).toBe(await repo.sha('unrelated'));
    expect(events).toEqual([{ type: 'history-missing', message: (err as GitopsError).message }]);
  });
});

describe('computeAffectedFromFiles (--files): no git', () => {
  it('locates stacks from a given list, normalising the paths', async () => {
    const repo = await createGitRepo(); // only a folder: the files mode must not need history
    repos.push(repo);
    await repo.write(platformFiles());
    const layout = layoutAt(repo.dir);
    const catalog = await loadStacks(layout);
    const files = parseFileList('programs/shared/tags-impl.ts,./stacks/legacy.yaml, stacks/gone.yaml,../outside.ts', { commas: true });
    const r = computeAffectedFromFiles({ layout, catalog, files: [...files, `${repo.dir}/programs/tools/index.ts`] });
    expect(r.base).toBeNull();
    expect(r.changes.map((c) => c.path)).toEqual([
      'programs/shared/tags-impl.ts',
      'stacks/legacy.yaml',
      'stacks/gone.yaml',
      'programs/tools/index.ts',
    ]);
    expect(r.stacks.map((s) => [s.name, s.action, s.reasons.map((x) => x.kind).join('+')])).toEqual([
      ['app', 'update', 'dependency'],
      ['database', 'update', 'dependency'],
      ['gone', 'destroy', 'deleted'],
      ['legacy', 'update', 'stack-file'],
      ['network', 'update', 'import'],
      ['tools', 'update', 'program'],
    ]);
  });

  it('parses stdin lists: one per line or NUL-separated', () => {
    expect(parseFileList('a.ts\n\nb/c.ts\r\n')).toEqual(['a.ts', 'b/c.ts']);
    expect(parseFileList('a,b.ts\0c.ts\0')).toEqual(['a,b.ts', 'c.ts']);
  });
});
