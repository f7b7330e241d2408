import { describe, expect, it } from 'vitest';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import { affectedStacks } from '../../src/merge-request/change-scope.js';
import { previewMergeRequest } from '../../src/merge-request/preview-merge-request.js';
import { freshForgeEachTest, testContext } from '../helpers/action-context.js';
import { ciEnv, type ForgeServer, testProjects } from '../helpers/forge-server.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

let server: ForgeServer;
let repo: GitRepo;
freshForgeEachTest(
  (s) => ({ server } = s),
  () => repo,
);

/** GIVEN web <- api and an independent docs, WHEN a feature branch changes web's stack file. */
async function featureBranch(): Promise<void> {
  repo = await createGitRepo(repoFiles({ web: stackFile({ approvals: 2 }), api: stackFile({ dependsOn: ['web'] }), docs: stackFile({}) }));
  await repo.git('checkout', '--quiet', '-b', 'feature');
  await repo.write({ 'stacks/web.yaml': `${stackFile({ approvals: 2 })}description: new\n` });
  await repo.commit('change web');
}

describe('merge request preview action', () => {
  it('previews the changed stack and its dependents in order, and posts one comment', async () => {
    await featureBranch();
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 5 });
    const forge = createForge(forgeSettingsFromEnv(ciEnv(server, 'gitlab', { CI_MERGE_REQUEST_IID: '5' })));
    const t = await testContext(repo.dir, { forge });
    t.engine.script('web', 'preview', {
      changes: { update: 1 },
      resources: [{ urn: 'u', type: 'pkg:File', name: 'page', op: 'update', changedProperties: ['content'], properties: [] }],
    });
    const scope = await affectedStacks(t.ctx, { base: 'main' });
    const preview = await previewMergeRequest(t.ctx, scope, { comment: true });
    expect(t.engine.log).toEqual(['web:preview', 'api:preview']);
    expect(preview.report.approvals).toEqual({ web: 2 });
    expect(preview.report.reasons).toMatchObject({
      web: [expect.stringContaining('stacks/web.yaml')],
      api: [expect.stringContaining('web')],
    });
    expect(preview.comment?.action).toBe('created');
    const comments = server.state.project('gitlab', testProjects.gitlab).mergeRequests.find((m) => m.number === 5)!.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('| web | 0 | 1 | 0 | 0 | ✅ ok | 🔒 2 |');
  });

  it('refuses a comment it cannot post before previewing anything', async () => {
    await featureBranch();
    const t = await testContext(repo.dir);
    const scope = await affectedStacks(t.ctx, { base: 'main' });
    await expect(previewMergeRequest(t.ctx, scope, { comment: true })).rejects.toThrow('no forge in this test');
    expect(t.engine.opened).toEqual([]);
    expect(t.engine.calls).toEqual([]);
  });
});
