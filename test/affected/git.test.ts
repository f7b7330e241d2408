import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { Git } from '../../src/git/git.js';
import { parseNameStatus } from '../../src/git/name-status.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';

describe('parseNameStatus', () => {
  it('reads -z output: statuses, renames with scores, copies, type changes, odd names', () => {
    const out = [
      'M',
      'a b.ts',
      'R097',
      'old/x.ts',
      'new/x.ts',
      'D',
      'gone.yaml',
      'A',
      'tab\there',
      'C100',
      'src.ts',
      'copy.ts',
      'T',
      'link',
      '',
    ].join('\0');
    expect(parseNameStatus(out)).toEqual([
      { status: 'M', path: 'a b.ts' },
      { status: 'R', path: 'new/x.ts', oldPath: 'old/x.ts' },
      { status: 'D', path: 'gone.yaml' },
      { status: 'A', path: 'tab\there' },
      { status: 'A', path: 'copy.ts' },
      { status: 'M', path: 'link' },
    ]);
    expect(parseNameStatus('')).toEqual([]);
    expect(() => parseNameStatus('R100\0only-one')).toThrow(/truncated/);
  });
});

describe('Git', () => {
  let repo: GitRepo;
  let git: Git;
  beforeAll(async () => {
    repo = await createGitRepo({
      'keep.txt': 'k\n',
      'move/me.ts': 'export const a = 1;\n'.repeat(20),
      'del.txt': 'd\n',
      'dir/ü file.txt': 'x\n',
    });
    await repo.git('checkout', '--quiet', '-b', 'feature');
    await repo.remove('del.txt', 'move/me.ts');
    await repo.write({ 'moved/me.ts': 'export const a = 1;\n'.repeat(20), 'dir/ü file.txt': 'y\n', 'new.txt': 'n\n' });
    await repo.commit('feature');
    git = new Git(repo.dir);
  });
  afterAll(async () => {
    await repo?.dispose();
  });

  it('lists changed files with deletions and renames, paths verbatim', async () => {
    const changes = await git.changedFiles('main', 'feature', { fromMergeBase: true });
    expect(changes.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { status: 'D', path: 'del.txt' },
      { status: 'M', path: 'dir/ü file.txt' },
      { status: 'R', path: 'moved/me.ts', oldPath: 'move/me.ts' },
      { status: 'A', path: 'new.txt' },
    ]);
  });

  it('resolves refs, merge-bases and ancestry', async () => {
    const main = await repo.sha('main');
    const feature = await repo.sha('feature');
    expect(await git.inspect(['main', 'feature', 'nope'])).toEqual({ shallow: false, commits: [main, feature, undefined] });
    expect(await git.inspect(['main', 'HEAD'])).toEqual({ shallow: false, commits: [main, feature] });
    expect(await git.inspectRange('main', 'feature')).toEqual({
      shallow: false,
      base: main,
      head: feature,
      checkedOut: feature,
      mergeBase: main,
    });
    expect(await git.inspectRange('nope', 'feature')).toEqual({
      shallow: false,
      base: undefined,
      head: feature,
      checkedOut: feature,
      mergeBase: undefined,
    });
    expect(await git.mergeBase('main', 'feature')).toBe(main);
    expect(await git.isAncestor('main', 'feature')).toBe(true);
    expect(await git.isAncestor('feature', 'main')).toBe(false);
    expect(await git.isShallow()).toBe(false);
    expect(await git.currentBranch()).toBe('feature');
  });

  it('reads a file at a commit, and undefined where it does not exist', async () => {
    expect(await git.show('main', 'del.txt')).toBe('d\n');
    expect(await git.show('feature', 'del.txt')).toBeUndefined();
  });

  it('fails with GIT_ERROR naming an unknown ref, and refuses refs that look like options', async () => {
    const unknown = await git.revParse('no-such-ref').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(GitopsError);
    expect((unknown as GitopsError).code).toBe('GIT_ERROR');
    expect((unknown as GitopsError).message).toContain('no-such-ref');
    const option = await git.changedFiles('--output=/tmp/x', 'HEAD').catch((e: unknown) => e);
    expect((option as GitopsError).code).toBe('USAGE');
    const failed = await git.changedFiles('main', 'no-such-ref').catch((e: unknown) => e);
    expect((failed as GitopsError).code).toBe('GIT_ERROR');
    expect((failed as GitopsError).message).toContain(repo.dir);
  });

  it('reports a detached HEAD as no branch', async () => {
    const detached = await createGitRepo({ 'a.txt': 'a\n' });
    try {
      await detached.git('checkout', '--quiet', '--detach');
      expect(await new Git(detached.dir).currentBranch()).toBeUndefined();
    } finally {
      await detached.dispose();
    }
  });

  it('finds no merge-base between unrelated histories, and the merge-base git diff uses otherwise', async () => {
    const r = await createGitRepo({ 'a.txt': 'a\n' });
    try {
      const main = await r.sha('main');
      await r.git('checkout', '--quiet', '--orphan', 'other');
      const other = await r.commit('unrelated');
      const g = new Git(r.dir);
      expect(await g.inspectRange('main', 'other')).toEqual({
        shallow: false,
        base: main,
        head: other,
        checkedOut: other,
        mergeBase: undefined,
      });
      expect(await g.mergeBase('main', 'other')).toBeUndefined();
    } finally {
      await r.dispose();
    }
  });
});
