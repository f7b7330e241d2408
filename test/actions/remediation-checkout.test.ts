import { afterEach, describe, expect, it } from 'vitest';
import { drift, planDrift } from '../../src/drift/drift-run.js';
import type { ResourceChange } from '../../src/engine/result.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import { guardDeployCheckout } from '../../src/merge-request/deploy-on-merge.js';
import { testContext } from '../helpers/action-context.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

/**
 * Remediation only from the deployed commit, and only committed files run: GIVEN a stack deployed
 * at some commit and drifted, WHEN drift remediates from an older checkout or a working tree that
 * holds files its commit does not, THEN it is blocked and the drift is still reported; a deploy
 * refuses the same untracked files (exit 2, naming them). In process, FakeEngine, real git.
 */
let repo: GitRepo;
afterEach(async () => repo?.dispose());

const page: ResourceChange = {
  urn: 'urn:pulumi:s::app::pkg:File::page',
  type: 'pkg:File',
  name: 'page',
  op: 'update',
  changedProperties: ['content'],
  properties: [{ path: 'content', kind: 'update', old: 'git', new: 'live' }],
};

async function remediate(deployed: string) {
  const t = await testContext(repo.dir);
  t.engine.lastDeployed.set('web', deployed);
  t.engine.script('web', 'refresh-preview', { resources: [page] });
  t.engine.script('web', 'remediate-preview', {
    resources: [{ ...page, properties: [{ path: 'content', kind: 'update', old: 'live', new: 'git' }] }],
  });
  const request = { selection: { all: true }, remediate: true, allowDestroy: false, notify: false };
  const { reports } = await drift(t.ctx, planDrift(t.ctx.catalog, request), request);
  return { report: reports[0]!, engine: t.engine, ctx: t.ctx };
}

describe('remediation only from the deployed commit', () => {
  it('a retried old drift job (checkout at c1, c2 deployed) is blocked: remediating would roll back', async () => {
    repo = await createGitRepo(repoFiles({ web: stackFile({ policy: 'remediate' }) }));
    const c1 = await repo.sha();
    await repo.write({ 'stacks/web.yaml': `${stackFile({ policy: 'remediate' })}description: c2\n` });
    const c2 = await repo.commit('c2');
    await repo.git('checkout', '--quiet', c1);
    const { report, engine } = await remediate(c2);
    expect(report).toMatchObject({
      action: 'blocked',
      blockedReason: `remediation refused: the checked-out commit ${c1.slice(0, 12)} is not the deployed commit ${c2.slice(0, 12)} or a descendant of it, so remediating would roll the stack back; run drift on the default branch's newest commit`,
      drifted: [expect.objectContaining({ name: 'page' })],
    });
    expect(engine.log).toEqual(['web:refresh-preview']);
  });

  it('remediates from the deployed commit itself', async () => {
    repo = await createGitRepo(repoFiles({ web: stackFile({ policy: 'remediate' }) }));
    const { report, engine } = await remediate(await repo.sha());
    expect(report).toMatchObject({ action: 'remediated' });
    expect(engine.log).toContain('web:up');
  });

  it('a dirty tree or an untracked program file blocks remediation, naming the files', async () => {
    repo = await createGitRepo(repoFiles({ web: stackFile({ policy: 'remediate' }) }));
    const head = await repo.sha();
    await repo.write({ 'stacks/web.yaml': `${stackFile({ policy: 'remediate' })}description: uncommitted\n` });
    const dirty = await remediate(head);
    expect(dirty.report).toMatchObject({
      action: 'blocked',
      blockedReason: expect.stringMatching(
        /^remediation refused: the working tree has uncommitted or untracked files \(stacks\/web.yaml\)/,
      ),
    });
    expect(dirty.engine.log).toEqual(['web:refresh-preview']);
    await repo.git('checkout', '--quiet', '--', 'stacks/web.yaml');
    await repo.write({ 'programs/app/data/web.json': '{"unreviewed": true}\n' });
    const untracked = await remediate(head);
    expect(untracked.report.blockedReason).toContain('(programs/app/data/web.json)');
  });
});

describe('only committed files deploy', () => {
  it('an untracked stack file, even one .gitignore hides, or program file refuses the deploy (exit 2), naming them', async () => {
    repo = await createGitRepo(repoFiles({ web: stackFile({}) }));
    await repo.write({
      'stacks/extra.yaml': stackFile({}),
      'programs/new/index.ts': 'export default async () => ({});\n',
      '.gitignore': 'stacks/extra.yaml\n',
    });
    const t = await testContext(repo.dir);
    const err = await guardDeployCheckout(t.ctx).catch((e: GitopsError) => e);
    expect(err).toMatchObject({
      code: 'DEPLOY_REFUSED',
      message: 'deploy refused: the working tree has untracked files a deploy would read (programs/new/index.ts, stacks/extra.yaml)',
    });
  });
});
