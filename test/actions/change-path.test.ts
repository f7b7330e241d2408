import { describe, expect, it } from 'vitest';
import { lastDeployedCommitOf } from '../../src/backend-state/deployed-commit.js';
import { detectDrift } from '../../src/drift/detect.js';
import { undeployedChangeCheck } from '../../src/drift/undeployed-change.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import type { Forge } from '../../src/forge/forge.js';
import { affectedStacks } from '../../src/merge-request/change-scope.js';
import { deployOnMerge, guardDeployCheckout } from '../../src/merge-request/deploy-on-merge.js';
import { previewMergeRequest } from '../../src/merge-request/preview-merge-request.js';
import { affectedJson, renderAffectedList, renderExplain } from '../../src/report/affected-render.js';
import { previewMarkdown } from '../../src/report/preview-markdown.js';
import { freshForgeEachTest, testContext } from '../helpers/action-context.js';
import { type ForgeServer, testProjects } from '../helpers/forge-server.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

/**
 * The change path cannot be talked into destroying or bypassing review (issue 9): policy read
 * from the protected side, renames by identity, gated destroys, clean checkouts, and remediation
 * that never applies an undeployed change. In process, with a FakeEngine and real git.
 */
let server: ForgeServer;
let forge: Forge;
let repo: GitRepo;
freshForgeEachTest(
  (s) => ({ server, forge } = s),
  () => repo,
);

async function change(base: Record<string, string>, edit: (r: GitRepo) => Promise<void>): Promise<{ base: string; head: string }> {
  repo = await createGitRepo(repoFiles(base));
  const baseSha = await repo.sha();
  await edit(repo);
  return { base: baseSha, head: await repo.commit('the change') };
}

async function deploy(base: string, options: { forge?: Forge; allowDestroy?: boolean } = {}) {
  const t = await testContext(repo.dir, { forge: options.forge, branch: 'main' });
  const scope = await affectedStacks(t.ctx, { base, head: 'HEAD' });
  const result = await deployOnMerge(t.ctx, scope, { allowDestroy: options.allowDestroy ?? false, head: 'HEAD' });
  return { ...t, scope, ...result, byName: new Map(result.results.map((r) => [r.name, r])) };
}

function approve(head: string, number: number, approvedBy: string[]): void {
  // Approvers who may approve: project members with Developer access (30) or more.
  for (const user of approvedBy) server.state.addMember(testProjects.gitlab, user, 30);
  server.state.addMergeRequest('gitlab', testProjects.gitlab, {
    number,
    title: 'change',
    state: 'merged',
    mergeCommitSha: head,
    approvalsRequired: 1,
    approvedBy,
  });
  server.state.linkCommit('gitlab', testProjects.gitlab, head, number);
}

const renamed = async (r: GitRepo) => {
  await r.remove('stacks/demo-web.yaml');
  await r.write({ 'stacks/web.yaml': `${stackFile({ allowDestroy: true })}stack: demo-web\n` });
};

describe('identity, not file names', () => {
  it('a stack file renamed with its Pulumi identity kept is a rename, never a destroy', async () => {
    const { base } = await change({ 'demo-web': stackFile({ allowDestroy: true }) }, renamed);
    const { engine, scope, results } = await deploy(base);
    expect(scope.affected.stacks.map((s) => [s.name, s.action, s.renamedFrom?.name])).toEqual([['web', 'update', 'demo-web']]);
    expect(engine.log).toEqual(['web:up']);
    expect(results.map((r) => [r.name, r.operation])).toEqual([['web', 'up']]);
  });

  it('affected shows the rename in its list, its explanation and its JSON', async () => {
    const { base } = await change({ 'demo-web': stackFile({ allowDestroy: true }) }, async (r) => {
      await r.git('mv', 'stacks/demo-web.yaml', 'stacks/web.yaml');
      await r.write({ 'stacks/web.yaml': `${stackFile({ allowDestroy: true })}stack: demo-web\n` });
    });
    const t = await testContext(repo.dir);
    const { affected } = await affectedStacks(t.ctx, { base, head: 'HEAD' });
    expect(renderAffectedList(affected)).toBe('web\tupdate\trenamed from demo-web\n');
    expect(renderExplain(affected)).toContain('web: update (renamed from demo-web, same Pulumi stack app/demo-web)');
    expect(renderExplain(affected)).toContain('  - renamed from stacks/demo-web.yaml: the same Pulumi stack under a new file name');
    expect(affectedJson(affected).stacks).toEqual([expect.objectContaining({ name: 'web', action: 'update', renamedFrom: 'demo-web' })]);
  });

  it('a stack file deleted while another file takes a different identity is still a destroy', async () => {
    const { base } = await change({ 'demo-web': stackFile({ allowDestroy: true }) }, async (r) => {
      await r.remove('stacks/demo-web.yaml');
      await r.write({ 'stacks/web.yaml': `${stackFile({ allowDestroy: true })}stack: web-two\n` });
    });
    const { engine } = await deploy(base);
    expect(engine.log.sort()).toEqual(['demo-web:destroy', 'web:up']);
  });
});

describe('policy comes from the protected side', () => {
  it('an MR that lowers approvals.required from 1 to 0 still needs one approval', async () => {
    const { base } = await change({ prod: stackFile({ approvals: 1 }) }, async (r) => {
      await r.write({ 'stacks/prod.yaml': `${stackFile({ approvals: 0 })}description: changed\n` });
    });
    const { byName, engine } = await deploy(base, { forge });
    expect(byName.get('prod')).toMatchObject({
      status: 'skipped',
      skipReason: 'deploy refused: needs 1 approval, but no merge request was found for this commit',
    });
    expect(engine.log).toEqual([]);
  });

  it('the lowered stack deploys once its MR has the approval the old rules ask for', async () => {
    const { base, head } = await change({ prod: stackFile({ approvals: 1 }) }, async (r) => {
      await r.write({ 'stacks/prod.yaml': `${stackFile({ approvals: 0 })}description: changed\n` });
    });
    approve(head, 91, ['alice']);
    const { engine } = await deploy(base, { forge });
    expect(engine.log).toEqual(['prod:up']);
  });

  it('a renamed stack keeps the approvals of its old file', async () => {
    const { base } = await change({ 'demo-web': stackFile({ approvals: 2 }) }, async (r) => {
      await r.remove('stacks/demo-web.yaml');
      await r.write({ 'stacks/web.yaml': `${stackFile({})}stack: demo-web\n` });
    });
    const { byName } = await deploy(base, { forge });
    expect(byName.get('web')!.skipReason).toBe('deploy refused: needs 2 approvals, but no merge request was found for this commit');
  });

  it('the MR comment says when an MR changes a policy, and the approval column shows the enforced rule', async () => {
    const { base } = await change({ prod: stackFile({ approvals: 1, policy: 'detect' }) }, async (r) => {
      await r.write({ 'stacks/prod.yaml': stackFile({ approvals: 0, policy: 'remediate', allowDestroy: true }) });
    });
    const t = await testContext(repo.dir);
    const scope = await affectedStacks(t.ctx, { base, head: 'HEAD' });
    const { report } = await previewMergeRequest(t.ctx, scope, { comment: false });
    const md = previewMarkdown({ ...report, limit: 65_536 });
    expect(md).toContain('| prod | 0 | 0 | 0 | 0 | ✅ ok | 🔒 1 |');
    expect(md).toContain('This merge request changes a policy');
    expect(md).toContain('**prod**: `approvals.required` 1 → 0 (lowers protection: deploy still applies the rule at the base)');
    expect(md).toContain('**prod**: `drift.policy` detect → remediate');
    expect(md).toContain('**prod**: `allowDestroy` false → true');
  });
});

describe('destroys are changes', () => {
  const deleted = async (r: GitRepo) => r.remove('stacks/old.yaml');

  it('a destroy needs the approvals of its base definition', async () => {
    const { base } = await change({ old: stackFile({ approvals: 2, allowDestroy: true }), keep: stackFile({}) }, deleted);
    const { byName, engine } = await deploy(base, { forge });
    expect(byName.get('old')).toMatchObject({
      status: 'skipped',
      operation: 'destroy',
      skipReason: 'deploy refused: needs 2 approvals, but no merge request was found for this commit',
    });
    expect(engine.log).toEqual([]);
  });

  it('a destroy with allowDestroy and its approvals goes ahead', async () => {
    const { base, head } = await change({ old: stackFile({ approvals: 1, allowDestroy: true }) }, deleted);
    approve(head, 92, ['alice']);
    const { engine } = await deploy(base, { forge });
    expect(engine.log).toEqual(['old:destroy']);
  });

  it('--allow-destroy does not waive approvals', async () => {
    const { base } = await change({ old: stackFile({ approvals: 1 }) }, deleted);
    const { engine, byName } = await deploy(base, { forge, allowDestroy: true });
    expect(engine.log).toEqual([]);
    expect(byName.get('old')!.skipReason).toMatch(/^deploy refused: needs 1 approval/);
  });

  it('the comment shows a destroy as its loudest row, first, with its resource count', async () => {
    const { base } = await change({ old: stackFile({ allowDestroy: true }), keep: stackFile({}) }, async (r) => {
      await r.remove('stacks/old.yaml');
      await r.write({ 'stacks/keep.yaml': `${stackFile({})}description: changed\n` });
    });
    const t = await testContext(repo.dir);
    t.engine.script('old', 'destroy-preview', { changes: { delete: 7 } });
    const scope = await affectedStacks(t.ctx, { base, head: 'HEAD' });
    const { report } = await previewMergeRequest(t.ctx, scope, { comment: false });
    const md = previewMarkdown({ ...report, limit: 65_536 });
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[1]).toBe('| 💥 **old** | — | — | — | **7** | 💥 **destroyed on merge**, with its 7 resources | no |');
    expect(rows[2]).toMatch(/^\| keep \|/);
    expect(md).toContain('- 💥 **old**: destroyed on merge, with its 7 resources');
    expect(md).toContain('Stack file `stacks/old.yaml` deleted: the deploy **destroys** the stack and its 7 resources.');
  });

  it('the comment shows a rename as renamed, not as a destroy', async () => {
    const { base } = await change({ 'demo-web': stackFile({ allowDestroy: true }) }, renamed);
    const t = await testContext(repo.dir);
    const scope = await affectedStacks(t.ctx, { base, head: 'HEAD' });
    const { report, results } = await previewMergeRequest(t.ctx, scope, { comment: false });
    expect(results.map((r) => `${r.name}:${r.operation}`)).toEqual(['web:preview']);
    const md = previewMarkdown({ ...report, limit: 65_536 });
    expect(md).toContain('| web (renamed from `stacks/demo-web.yaml`, no destroy) |');
    expect(md).not.toMatch(/destroyed on merge|destroys|💥/);
  });
});

describe('deploy only what was checked', () => {
  async function guard(head: string): Promise<GitopsError | undefined> {
    const t = await testContext(repo.dir, { branch: 'main' });
    return guardDeployCheckout(t.ctx, head).then(
      () => undefined,
      (err: GitopsError) => err,
    );
  }

  it('refuses uncommitted changes to tracked files', async () => {
    await change({ a: stackFile({}) }, async (r) => r.write({ 'stacks/a.yaml': `${stackFile({})}description: x\n` }));
    await repo.write({ 'stacks/a.yaml': `${stackFile({})}description: uncommitted\n` });
    expect(await guard('HEAD')).toMatchObject({
      code: 'DEPLOY_REFUSED',
      message: 'deploy refused: the working tree has uncommitted changes to tracked files (stacks/a.yaml)',
    });
  });

  it('ignores untracked files, and lets a clean checkout through', async () => {
    await change({ a: stackFile({}) }, async () => undefined);
    await repo.write({ 'notes.txt': 'scratch\n' });
    expect(await guard('HEAD')).toBeUndefined();
  });

  it('refuses a --head that is not the checked-out commit', async () => {
    const { head } = await change({ a: stackFile({}) }, async () => undefined);
    await repo.write({ 'stacks/a.yaml': `${stackFile({})}description: local\n` });
    const local = await repo.commit('local, not pushed');
    const err = await guard(head);
    expect(err).toMatchObject({ code: 'DEPLOY_REFUSED' });
    expect(err!.message).toBe(
      `deploy refused: --head ${head} (${head.slice(0, 12)}) is not the checked-out commit (${local.slice(0, 12)}); check it out first`,
    );
  });
});

describe('remediation never deploys an undeployed change', () => {
  async function driftWith(deployed: string | undefined) {
    const t = await testContext(repo.dir);
    t.engine.script('site', 'refresh-preview', {
      resources: [
        {
          urn: 'u',
          type: 't',
          name: 'page',
          op: 'update',
          changedProperties: ['content'],
          properties: [{ path: 'content', kind: 'update' }],
        },
      ],
    });
    t.engine.lastDeployed.set('site', deployed);
    const check = undeployedChangeCheck(t.ctx);
    const run = {
      engine: t.engine,
      catalog: t.ctx.catalog,
      sink: t.ctx.sink,
      concurrency: 1,
      signal: t.ctx.signal,
      message: 'gitops drift remediation',
    };
    const [report] = await detectDrift(['site'], run, { remediate: true, allowDestroy: false, undeployedChange: check });
    return { report: report!, engine: t.engine };
  }

  it('blocks remediation when the stack changed since its last deployed commit, and still reports the drift', async () => {
    const { base } = await change({ site: stackFile({ policy: 'remediate' }) }, async (r) =>
      r.write({ 'stacks/site.yaml': `${stackFile({ policy: 'remediate' })}description: refused\n` }),
    );
    const { report, engine } = await driftWith(base.slice(0, 12));
    expect(report).toMatchObject({
      action: 'blocked',
      blockedReason: `undeployed change waiting for deploy: stack file stacks/site.yaml changed since ${base.slice(0, 12)}, its last deployed commit`,
    });
    expect(report.drifted).toHaveLength(1);
    expect(engine.log).toEqual(['site:refresh-preview']);
    expect(engine.historyReads).toEqual(['site']);
  });

  it('remediates when the head matches the last deployed commit for this stack', async () => {
    const { head } = await change({ site: stackFile({ policy: 'remediate' }), other: stackFile({}) }, async (r) =>
      r.write({ 'stacks/site.yaml': `${stackFile({ policy: 'remediate' })}description: deployed\n` }),
    );
    await repo.write({ 'stacks/other.yaml': `${stackFile({})}description: unrelated\n` });
    await repo.commit('unrelated');
    const { report, engine } = await driftWith(head.slice(0, 12));
    expect(report.action).toBe('remediated');
    expect(engine.log).toEqual(['site:refresh-preview', 'site:remediate-preview', 'site:refresh', 'site:up']);
  });

  it('blocks remediation when no deploy of this stack is on record', async () => {
    await change({ site: stackFile({ policy: 'remediate' }) }, async () => undefined);
    const { report } = await driftWith(undefined);
    expect(report).toMatchObject({
      action: 'blocked',
      blockedReason: expect.stringMatching(/^undeployed change waiting for deploy: no gitops deploy of this stack is on record/),
    });
  });
});

describe('the last deployed commit, from a stack history', () => {
  it('is the newest successful gitops deploy, past remediations, refreshes and failed updates', () => {
    const history = [
      { kind: 'update', result: 'succeeded', message: 'gitops drift remediation' },
      { kind: 'refresh', result: 'succeeded', message: 'gitops drift remediation' },
      { kind: 'update', result: 'failed', message: 'gitops deploy of 111111111111' },
      { kind: 'update', result: 'succeeded', message: 'gitops deploy of 0123456789ab | merge request #7 "x"' },
      { kind: 'update', result: 'succeeded', message: 'gitops deploy of 222222222222' },
    ];
    expect(lastDeployedCommitOf(history)).toBe('0123456789ab');
    expect(lastDeployedCommitOf([{ kind: 'update', result: 'succeeded', message: 'manual pulumi up' }])).toBeUndefined();
  });
});
