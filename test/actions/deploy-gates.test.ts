import { describe, expect, it } from 'vitest';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import type { Forge } from '../../src/forge/forge.js';
import { affectedStacks } from '../../src/merge-request/change-scope.js';
import { deployOnMerge, guardDeployBranch } from '../../src/merge-request/deploy-on-merge.js';
import { freshForgeEachTest, testContext } from '../helpers/action-context.js';
import { type ForgeServer, testProjects } from '../helpers/forge-server.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

let server: ForgeServer;
let forge: Forge;
let repo: GitRepo;
freshForgeEachTest(
  (s) => ({ server, forge } = s),
  () => repo,
);

/**
 * GIVEN a repository where `prod` needs one approval, `prod-app` depends on it and `other` is
 * unrelated, and a merge commit that changes all three, WHEN deploy on merge runs.
 */
async function mergedChange(): Promise<{ base: string; head: string }> {
  repo = await createGitRepo(
    repoFiles({
      prod: stackFile({ approvals: 1 }),
      'prod-app': stackFile({ dependsOn: ['prod'] }),
      other: stackFile({}),
      legacy: stackFile({ allowDestroy: false }),
      old: stackFile({ allowDestroy: true }),
    }),
  );
  const base = await repo.sha();
  await repo.write({
    'stacks/prod.yaml': `${stackFile({ approvals: 1 })}description: changed\n`,
    'stacks/other.yaml': `${stackFile({})}description: changed\n`,
  });
  await repo.remove('stacks/legacy.yaml', 'stacks/old.yaml');
  const head = await repo.commit('merge feature');
  return { base, head };
}

async function deploy(withForge: Forge | undefined, base: string) {
  const t = await testContext(repo.dir, { forge: withForge, branch: 'main' });
  const scope = await affectedStacks(t.ctx, { base, head: 'HEAD' });
  const result = await deployOnMerge(t.ctx, scope, { allowDestroy: false, head: 'HEAD' });
  return { ...t, ...result, byName: new Map(result.results.map((r) => [r.name, r])) };
}

describe('deploy on merge: the approvals gate', () => {
  it('refuses a protected stack whose commit has no merge request, stops its dependents, deploys the rest', async () => {
    const { base } = await mergedChange();
    const { engine, byName } = await deploy(forge, base);
    expect(byName.get('prod')).toMatchObject({
      status: 'skipped',
      skipReason: 'deploy refused: needs 1 approval, but no merge request was found for this commit',
    });
    expect(byName.get('prod-app')).toMatchObject({ status: 'skipped', skipReason: 'depends on prod, which was skipped' });
    expect(byName.get('other')).toMatchObject({ status: 'succeeded' });
    expect(engine.log.filter((c) => c.endsWith(':up'))).toEqual(['other:up']);
  });

  it('deploys the protected stack and its dependent once the merge request is approved, naming it in the update message', async () => {
    const { base, head } = await mergedChange();
    // Only a member with Developer access (30) or more may approve.
    server.state.addMember(testProjects.gitlab, 'alice', 30);
    server.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 71,
      title: 'Change prod',
      state: 'merged',
      mergeCommitSha: head,
      approvalsRequired: 1,
      approvedBy: ['alice'],
    });
    server.state.linkCommit('gitlab', testProjects.gitlab, head, 71);
    const { engine, mergeRequest } = await deploy(forge, base);
    expect(mergeRequest).toMatchObject({ number: 71 });
    expect(engine.log.filter((c) => c.endsWith(':up')).sort()).toEqual(['other:up', 'prod-app:up', 'prod:up']);
    expect(engine.log.indexOf('prod:up')).toBeLessThan(engine.log.indexOf('prod-app:up'));
    expect(engine.calls.find((c) => c.stack === 'prod')!.message).toBe(
      `gitops deploy of ${head.slice(0, 12)} | merge request #71 "Change prod"`,
    );
  });

  it('an MR with too few approvals is refused with the count', async () => {
    const { base, head } = await mergedChange();
    server.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 72,
      state: 'merged',
      mergeCommitSha: head,
      approvalsRequired: 2,
      approvedBy: [],
    });
    server.state.linkCommit('gitlab', testProjects.gitlab, head, 72);
    const { byName } = await deploy(forge, base);
    expect(byName.get('prod')!.skipReason).toBe('deploy refused: needs 1 approval; merge request #72 has 0');
  });

  it('a push of several merges checks each merged MR for the stacks it changed, not only the last', async () => {
    repo = await createGitRepo(
      repoFiles({
        prod: stackFile({ approvals: 1 }),
        other: stackFile({}),
        note: `${stackFile({})}description: "nonce ${Math.random()}"\n`,
      }),
    );
    const base = await repo.sha();
    // MR 81 changes prod and is merged without approval; MR 82 changes other and is approved; both land in one push.
    await repo.write({ 'stacks/prod.yaml': `${stackFile({ approvals: 1 })}description: unreviewed\n` });
    const first = await repo.commit('merge MR 81');
    await repo.write({ 'stacks/other.yaml': `${stackFile({})}description: reviewed\n` });
    const second = await repo.commit('merge MR 82');
    server.state.addMember(testProjects.gitlab, 'alice', 30);
    server.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 81,
      state: 'merged',
      mergeCommitSha: first,
      approvalsRequired: 1,
      approvedBy: [],
    });
    server.state.linkCommit('gitlab', testProjects.gitlab, first, 81);
    server.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 82,
      state: 'merged',
      mergeCommitSha: second,
      approvalsRequired: 1,
      approvedBy: ['alice'],
    });
    server.state.linkCommit('gitlab', testProjects.gitlab, second, 82);
    const { byName, engine } = await deploy(forge, base);
    expect(byName.get('prod')!.skipReason).toBe(`deploy refused: needs 1 approval; merge request #81 has 0 (commit ${first.slice(0, 12)})`);
    expect(byName.get('other')).toMatchObject({ status: 'succeeded' });
    expect(engine.log).not.toContain('prod:up');
  });

  it('a rebase (or fast-forward) merge of a three-commit MR is one landing, checked once against that MR', async () => {
    repo = await createGitRepo(repoFiles({ prod: stackFile({ approvals: 1 }), other: stackFile({}) }));
    const base = await repo.sha();
    const commits: string[] = [];
    for (const [i, file] of ['prod', 'other', 'prod'].entries()) {
      await repo.write({ [`stacks/${file}.yaml`]: `${stackFile(file === 'prod' ? { approvals: 1 } : {})}description: step ${i}\n` });
      commits.push(await repo.commit(`MR 91, commit ${i + 1} of 3 (rebased onto main)`));
    }
    server.state.addMember(testProjects.gitlab, 'bob', 40);
    server.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 91,
      state: 'merged',
      headSha: commits[2]!,
      approvalsRequired: 1,
      approvedBy: ['bob'],
    });
    for (const c of commits) server.state.linkCommit('gitlab', testProjects.gitlab, c, 91);
    const { byName, engine } = await deploy(forge, base);
    expect(byName.get('prod')).toMatchObject({ status: 'succeeded' });
    expect(engine.log.sort()).toEqual(['other:up', 'prod:up']);
    // A direct push after the MR belongs to no MR: it stays unlanded.
    const landed = await forge.landedMergeRequests([...commits, await repo.commit('a direct push')]);
    expect(landed.map((l) => l.mergeRequest?.number)).toEqual([91, 91, 91, undefined]);
  });

  it('without a forge, protected stacks are refused and the operator is warned', async () => {
    const { base } = await mergedChange();
    const { byName, lines } = await deploy(undefined, base);
    expect(byName.get('prod')!.skipReason).toMatch(/no GitLab\/GitHub API configured to check approvals/);
    expect(lines()).toContain('warning: approvals cannot be checked: no forge in this test');
  });

  it('destroys a deleted stack only when its last definition allowed it', async () => {
    const { base } = await mergedChange();
    const { engine, byName } = await deploy(forge, base);
    expect(byName.get('legacy')).toMatchObject({ status: 'skipped', benign: true });
    expect(byName.get('old')).toMatchObject({ status: 'succeeded', operation: 'destroy' });
    expect(engine.log).toContain('old:destroy');
    expect(engine.log).not.toContain('legacy:destroy');
  });
});

describe('deploy on merge: the branch guard', () => {
  async function guard(branch: string | undefined, head: string): Promise<GitopsError | undefined> {
    const t = await testContext(repo.dir, { branch });
    return guardDeployBranch(t.ctx, head).then(
      () => undefined,
      (err: GitopsError) => err,
    );
  }

  it('lets a commit on the default branch through', async () => {
    await mergedChange();
    expect(await guard('main', 'HEAD')).toBeUndefined();
  });

  it('refuses another branch', async () => {
    await mergedChange();
    expect(await guard('feature', 'HEAD')).toMatchObject({
      code: 'DEPLOY_REFUSED',
      message: 'deploy refused: it runs only on the default branch "main", and this is branch "feature"',
    });
  });

  it('refuses a commit the default branch cannot reach', async () => {
    await mergedChange();
    await repo.git('checkout', '--quiet', '-b', 'side');
    const side = await repo.commit('unmerged');
    await repo.git('checkout', '--quiet', 'main');
    expect(await guard('main', side)).toMatchObject({
      code: 'DEPLOY_REFUSED',
      message: `deploy refused: commit ${side.slice(0, 12)} is not reachable from the default branch "main"`,
      // deploy --since-deployed takes no --force: the hint names only what works.
      hint: 'deploy a commit of the default branch',
    });
  });

  it('a local main ahead of a stale origin/main is the default branch too (a repository without a fresh remote)', async () => {
    await mergedChange();
    await repo.git('update-ref', 'refs/remotes/origin/main', 'HEAD~1');
    await repo.commit('a local commit on main');
    expect(await guard('main', 'HEAD')).toBeUndefined();
  });
});
