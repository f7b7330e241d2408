import { describe, expect, it } from 'vitest';
import { operate, planOperate } from '../../src/actions/operate.js';
import { overrideMessage, selectionRefusals } from '../../src/actions/selection-approvals.js';
import type { Forge } from '../../src/forge/forge.js';
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

/** GIVEN prod (1 approval), prod-app depending on it and other, WHEN `deploy --all` runs at HEAD. */
async function deployAll(options: { forge?: Forge; override?: { reason: string }; prodAtHead?: string } = {}) {
  repo = await createGitRepo(
    repoFiles({ prod: stackFile({ approvals: 1 }), 'prod-app': stackFile({ dependsOn: ['prod'] }), other: stackFile({}) }),
  );
  await repo.write({
    'stacks/other.yaml': `${stackFile({})}description: "change ${Math.random()}"\n`,
    ...(options.prodAtHead ? { 'stacks/prod.yaml': options.prodAtHead } : {}),
  });
  const head = await repo.commit('merge');
  const t = await testContext(repo.dir, { forge: options.forge, branch: 'main' });
  const plan = planOperate(t.ctx.catalog, { command: 'deploy', selection: { all: true } });
  const refusals = await selectionRefusals(t.ctx, plan, options.override);
  const results = await operate(t.ctx, plan, { message: overrideMessage('gitops deploy', options.override), refusals });
  return { ...t, head, byName: new Map(results.map((r) => [r.name, r])) };
}

describe('deploy --all / --stack: protected stacks need their approvals too', () => {
  it('without a merge request for HEAD, the protected stack and its dependents are refused; the rest deploys', async () => {
    const { byName, engine } = await deployAll({ forge });
    expect(byName.get('prod')!.skipReason).toBe(
      'deploy refused: needs 1 approval, but no merge request was found for this commit (a person may override: --override-approvals --reason TEXT)',
    );
    expect(byName.get('prod-app')!.skipReason).toBe('depends on prod, which was skipped');
    expect(engine.log).toEqual(['other:up']);
  });

  it('the commit that lowers approvals.required to 0 cannot waive them', async () => {
    const { byName } = await deployAll({ forge, prodAtHead: stackFile({ approvals: 0 }) });
    expect(byName.get('prod')).toMatchObject({ status: 'skipped' });
  });

  it('nor can the commit that renames the stack file while lowering them', async () => {
    repo = await createGitRepo(repoFiles({ prod: stackFile({ approvals: 1 }), other: stackFile({}) }));
    await repo.remove('stacks/prod.yaml');
    await repo.write({ 'stacks/production.yaml': `${stackFile({ approvals: 0 })}stack: prod\ndescription: "renamed ${Math.random()}"\n` });
    await repo.commit('rename and lower');
    const t = await testContext(repo.dir, { forge, branch: 'main' });
    const plan = planOperate(t.ctx.catalog, { command: 'deploy', selection: { names: ['production'] } });
    expect((await selectionRefusals(t.ctx, plan)).get('production')).toMatch(/^deploy refused: needs 1 approval/);
  });

  it('deploys when the merge request that landed HEAD was approved', async () => {
    repo = await createGitRepo(repoFiles({ prod: stackFile({ approvals: 1 }), other: stackFile({}) }));
    await repo.write({ 'stacks/prod.yaml': `${stackFile({ approvals: 1 })}description: "reviewed ${Math.random()}"\n` });
    const head = await repo.commit('merge MR 91');
    server.state.addMember(testProjects.gitlab, 'alice', 30);
    server.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 91,
      state: 'merged',
      mergeCommitSha: head,
      approvalsRequired: 1,
      approvedBy: ['alice'],
    });
    server.state.linkCommit('gitlab', testProjects.gitlab, head, 91);
    const t = await testContext(repo.dir, { forge, branch: 'main' });
    const plan = planOperate(t.ctx.catalog, { command: 'deploy', selection: { names: ['prod'] } });
    expect(await selectionRefusals(t.ctx, plan)).toEqual(new Map());
  });

  it('a person may override, and the reason is recorded in every update message', async () => {
    const { byName, engine, lines } = await deployAll({ override: { reason: 'incident 42: restore service' } });
    expect(byName.get('prod')).toMatchObject({ status: 'succeeded' });
    expect(engine.calls.find((c) => c.stack === 'prod')!.message).toBe(
      'gitops deploy | approvals overridden: incident 42: restore service',
    );
    expect(lines()).toContain('warning: deploying prod without checking approvals: incident 42: restore service');
  });
});
