import { describe, expect, it } from 'vitest';
import { deployStatus } from '../../src/actions/status.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import type { Forge } from '../../src/forge/forge.js';
import { affectedStacks } from '../../src/merge-request/change-scope.js';
import { deployOnMerge } from '../../src/merge-request/deploy-on-merge.js';
import { deploySinceDeployed } from '../../src/merge-request/since-deployed.js';
import { freshForgeEachTest, testContext } from '../helpers/action-context.js';
import { type ForgeServer, testProjects } from '../helpers/forge-server.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

/**
 * Provenance and no lost deploys (issue 9, point 5), in process with a FakeEngine (whose
 * `lastDeployed` plays the `gitops:commit` tag) and real git: `deploy --since-deployed` diffs from
 * each stack's own deployed commit, approvals are those of every merge since, and where the
 * deployed commit differs from the base the stricter rules apply.
 */
let server: ForgeServer;
let forge: Forge;
let repo: GitRepo;
freshForgeEachTest(
  (s) => ({ server, forge } = s),
  () => repo,
);

/** A merged MR for `sha`, approved by `approvedBy` (members who may approve). */
function merged(sha: string, number: number, approvedBy: string[]): void {
  for (const user of approvedBy) server.state.addMember(testProjects.gitlab, user, 30);
  server.state.addMergeRequest('gitlab', testProjects.gitlab, {
    number,
    title: `change ${number}`,
    state: 'merged',
    mergeCommitSha: sha,
    approvalsRequired: 1,
    approvedBy,
  });
  server.state.linkCommit('gitlab', testProjects.gitlab, sha, number);
}

async function sinceDeployed(deployed: Record<string, string | undefined>, options: { forge?: Forge } = {}) {
  const t = await testContext(repo.dir, { forge: options.forge, branch: 'main' });
  for (const [name, commit] of Object.entries(deployed)) t.engine.lastDeployed.set(name, commit);
  const result = await deploySinceDeployed(t.ctx, {});
  return { ...t, ...result, byName: new Map(result.results.map((r) => [r.name, r])) };
}

describe('deploy --since-deployed', () => {
  it('a cancelled pipeline drops nothing: both merges deploy, and each stack records the head commit', async () => {
    repo = await createGitRepo(repoFiles({ alpha: stackFile({}), beta: stackFile({}) }));
    const c0 = await repo.sha();
    await repo.write({ 'stacks/alpha.yaml': `${stackFile({})}description: first merge\n` });
    await repo.commit('first merge (its pipeline was cancelled)');
    await repo.write({ 'stacks/beta.yaml': `${stackFile({})}description: second merge\n` });
    const c2 = await repo.commit('second merge');
    const { engine, scope } = await sinceDeployed({ alpha: c0, beta: c0 });
    expect(engine.log.sort()).toEqual(['alpha:up', 'beta:up']);
    expect(engine.calls.map((c) => c.commit)).toEqual([c2, c2]);
    expect(engine.lastDeployed.get('alpha')).toBe(c2);
    expect(scope.affected.stacks.map((s) => [s.name, s.reasons[0]?.kind])).toEqual([
      ['alpha', 'stack-file'],
      ['beta', 'stack-file'],
    ]);
  });

  it('diffs per stack: a stack deployed at head is left alone, a stack never deployed is deployed as new', async () => {
    repo = await createGitRepo(repoFiles({ alpha: stackFile({}), beta: stackFile({}) }));
    await repo.write({ 'stacks/gamma.yaml': stackFile({}) });
    const head = await repo.commit('add gamma');
    const { engine, scope } = await sinceDeployed({ alpha: head, beta: head });
    expect(engine.log).toEqual(['gamma:up']);
    expect(scope.affected.stacks).toEqual([{ name: 'gamma', action: 'update', reasons: [{ kind: 'undeployed' }] }]);
  });

  it('each merge that changed a protected stack since its deployed commit needs its approvals, not only the last', async () => {
    repo = await createGitRepo(repoFiles({ prod: stackFile({ approvals: 1 }), other: stackFile({}) }));
    const c0 = await repo.sha();
    await repo.write({ 'stacks/prod.yaml': `${stackFile({ approvals: 1 })}description: unapproved\n` });
    const c1 = await repo.commit('merge 21, not approved');
    await repo.write({ 'stacks/prod.yaml': `${stackFile({ approvals: 1 })}description: approved\n` });
    const c2 = await repo.commit('merge 22, approved');
    merged(c1, 21, []);
    merged(c2, 22, ['alice']);
    const { byName, engine } = await sinceDeployed({ prod: c0, other: c0 }, { forge });
    expect(byName.get('prod')).toMatchObject({ status: 'skipped' });
    expect(byName.get('prod')!.skipReason).toContain(`merge request #21 has 0 (commit ${c1.slice(0, 12)})`);
    expect(engine.log).toEqual([]);
  });

  it('a merge the stack had already deployed past is not asked again', async () => {
    repo = await createGitRepo(repoFiles({ prod: stackFile({ approvals: 1 }), other: stackFile({}) }));
    const c0 = await repo.sha();
    await repo.write({ 'stacks/prod.yaml': `${stackFile({ approvals: 1 })}description: deployed by an override\n` });
    const c1 = await repo.commit('merge 31, deployed with an override');
    await repo.write({ 'stacks/prod.yaml': `${stackFile({ approvals: 1 })}description: approved\n` });
    const c2 = await repo.commit('merge 32, approved');
    merged(c1, 31, []);
    merged(c2, 32, ['alice']);
    const { engine } = await sinceDeployed({ prod: c1, other: c0 }, { forge });
    expect(engine.log).toEqual(['prod:up']);
  });

  it('a deployed commit missing from the clone fails closed, naming the stack and the fetch depth', async () => {
    repo = await createGitRepo(repoFiles({ alpha: stackFile({}) }));
    const err = await sinceDeployed({ alpha: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef' }).catch((e: GitopsError) => e);
    expect(err).toMatchObject({ code: 'HISTORY_MISSING' });
    expect((err as GitopsError).message).toContain(
      'cannot tell what changed since the last deploy of alpha: their last deployed commit deadbeefdeadbeefdeadbeefdeadbeefdeadbeef is not in this clone',
    );
    expect((err as GitopsError).hint).toContain('fetch-depth: 0');
  });

  it('a deleted stack is destroyed once, with its base allowDestroy, and not again after', async () => {
    repo = await createGitRepo(repoFiles({ alpha: stackFile({}), old: stackFile({ allowDestroy: true }) }));
    const c0 = await repo.sha();
    await repo.remove('stacks/old.yaml');
    await repo.commit('retire old');
    const first = await sinceDeployed({ alpha: c0, old: c0 });
    expect(first.engine.log).toEqual(['old:destroy']);
    const t = await testContext(repo.dir, { branch: 'main' });
    t.engine.lastDeployed.set('alpha', c0);
    const again = await deploySinceDeployed(t.ctx, {});
    expect(t.engine.log).toEqual([]);
    expect(again.results).toEqual([]);
  });
});

describe('deleted stacks are never forgotten', () => {
  it('a destroy refused before every stack deployed again is tried again, with the approvals of the merge that deleted it', async () => {
    repo = await createGitRepo(repoFiles({ alpha: stackFile({}), old: stackFile({ allowDestroy: true, approvals: 1 }) }));
    const c0 = await repo.sha();
    await repo.remove('stacks/old.yaml');
    const deletion = await repo.commit('merge 51: retire old (not approved: its destroy was refused)');
    await repo.write({ 'stacks/alpha.yaml': `${stackFile({})}description: later\n` });
    const later = await repo.commit('merge 52');
    await repo.write({ 'stacks/alpha.yaml': `${stackFile({})}description: later still\n` });
    const head = await repo.commit('merge 53');
    merged(deletion, 51, []);
    merged(later, 52, ['alice']);
    merged(head, 53, ['alice']);
    // alpha deployed after the deletion, so no window of this run reaches it: the history does.
    const refused = await sinceDeployed({ alpha: later, old: c0 }, { forge });
    expect(refused.engine.log).toEqual(['alpha:up']);
    expect(refused.byName.get('old')).toMatchObject({ operation: 'destroy', status: 'skipped' });
    expect(refused.byName.get('old')!.skipReason).toContain('merge request #51 has 0');
    expect(refused.scope.affected.stacks.find((s) => s.name === 'old')?.reasons).toEqual([{ kind: 'deleted', path: 'stacks/old.yaml' }]);
    server.state.addMember(testProjects.gitlab, 'bob', 30);
    server.state.project('gitlab', testProjects.gitlab).mergeRequests.find((m) => m.number === 51)!.approvedBy = ['bob'];
    const approved = await sinceDeployed({ alpha: head, old: c0 }, { forge });
    expect(approved.engine.log).toEqual(['old:destroy']);
    expect(approved.engine.lastDeployed.has('old')).toBe(false);
  });
});

describe('the stricter of base and last deployed', () => {
  it('a change that lowered approvals, refused and never deployed, cannot lower them for the next merge', async () => {
    repo = await createGitRepo(repoFiles({ prod: stackFile({ approvals: 2 }) }));
    const deployed = await repo.sha();
    await repo.write({ 'stacks/prod.yaml': stackFile({ approvals: 0 }) });
    const refused = await repo.commit('lower approvals (refused, never deployed)');
    await repo.write({ 'stacks/prod.yaml': `${stackFile({ approvals: 0 })}description: next\n` });
    const head = await repo.commit('the next merge');
    merged(head, 41, ['alice']);
    const t = await testContext(repo.dir, { forge, branch: 'main' });
    t.engine.lastDeployed.set('prod', deployed.slice(0, 12));
    const scope = await affectedStacks(t.ctx, { base: refused, head: 'HEAD' });
    const { results } = await deployOnMerge(t.ctx, scope, { allowDestroy: false, head: 'HEAD' });
    expect(results).toMatchObject([{ name: 'prod', status: 'skipped', skipReason: expect.stringContaining('needs 2 approvals') }]);
    expect(t.engine.log).toEqual([]);
  });
});

describe('gitops status', () => {
  it('says which stacks are behind, up to date, never deployed or deleted but still deployed', async () => {
    repo = await createGitRepo(repoFiles({ alpha: stackFile({}), beta: stackFile({}), old: stackFile({}) }));
    const c0 = await repo.sha();
    await repo.write({ 'stacks/alpha.yaml': `${stackFile({})}description: changed\n`, 'stacks/gamma.yaml': stackFile({}) });
    await repo.remove('stacks/old.yaml');
    const c1 = await repo.commit('change alpha, add gamma, retire old');
    const t = await testContext(repo.dir);
    for (const n of ['alpha', 'beta', 'old']) t.engine.lastDeployed.set(n, c0);
    const { head, stacks } = await deployStatus(t.ctx);
    expect(head).toBe(c1);
    expect(stacks).toEqual([
      expect.objectContaining({
        name: 'alpha',
        state: 'behind',
        deployed: c0,
        headCommit: c1,
        reasons: ['stack file stacks/alpha.yaml changed'],
      }),
      expect.objectContaining({ name: 'beta', state: 'up-to-date', deployed: c0, headCommit: c0, reasons: [] }),
      expect.objectContaining({ name: 'gamma', state: 'never-deployed', headCommit: c1 }),
      expect.objectContaining({ name: 'old', state: 'deleted', deployed: c0 }),
    ]);
    expect(t.engine.calls).toEqual([]);
  });
});
