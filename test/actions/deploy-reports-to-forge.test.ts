import { describe, expect, it } from 'vitest';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { Forge } from '../../src/forge/forge.js';
import { affectedStacks } from '../../src/merge-request/change-scope.js';
import { deployOnMerge } from '../../src/merge-request/deploy-on-merge.js';
import { freshForgeEachTest, testContext } from '../helpers/action-context.js';
import { ciEnv, type ForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

/**
 * Deploy reports back, in process: GIVEN a merged merge request that changes a protected stack
 * (no approval yet), its dependent, a stack that deploys and one that fails, WHEN deploy on merge
 * runs, THEN each stack gets a commit status on the deployed commit and the merge request one
 * comment per pipeline, and a forge that fails while reporting never changes the deploy's result.
 */
let server: ForgeServer;
let repo: GitRepo;
freshForgeEachTest(
  (s) => ({ server } = s),
  () => repo,
);

const forgeOf = (pipeline: string): Forge =>
  createForge(forgeSettingsFromEnv(ciEnv(server, 'gitlab', { CI_PIPELINE_ID: pipeline })), testForgeOptions);
const project = () => server.state.project('gitlab', testProjects.gitlab);

async function mergedChange(mr: number): Promise<{ base: string; head: string }> {
  const nonce = `nonce ${mr} ${Math.random()}`;
  repo = await createGitRepo(
    repoFiles({
      prod: stackFile({ approvals: 1 }),
      'prod-app': stackFile({ dependsOn: ['prod'] }),
      app: stackFile({}),
      web: stackFile({}),
    }),
  );
  const base = await repo.sha();
  await repo.write({
    'stacks/prod.yaml': `${stackFile({ approvals: 1 })}description: "${nonce}"\n`,
    'stacks/app.yaml': `${stackFile({})}description: "${nonce}"\n`,
    'stacks/web.yaml': `${stackFile({})}description: "${nonce}"\n`,
  });
  const head = await repo.commit(`merge !${mr}`);
  server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: mr, title: `Change ${mr}`, state: 'merged', mergeCommitSha: head });
  server.state.linkCommit('gitlab', testProjects.gitlab, head, mr);
  return { base, head };
}

async function deploy(forge: Forge, base: string) {
  const t = await testContext(repo.dir, { forge, branch: 'main' });
  t.engine.script('app', 'up', { changes: { update: 1, same: 2 }, updateVersion: 4 });
  t.engine.script('web', 'up', { status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'web: <script>boom</script>' } });
  const scope = await affectedStacks(t.ctx, { base, head: 'HEAD' });
  const result = await deployOnMerge(t.ctx, scope, { allowDestroy: false, head: 'HEAD' });
  return { ...t, ...result, byName: new Map(result.results.map((r) => [r.name, r])) };
}

describe('deploy reports back to the forge', () => {
  it('sets one commit status per stack on the deployed commit: success, failed, pending for approval', async () => {
    const { base, head } = await mergedChange(81);
    const { lines } = await deploy(forgeOf('501'), base);
    const statuses = Object.fromEntries(
      project()
        .statuses.filter((s) => s.sha === head)
        .map((s) => [s.name, s]),
    );
    expect(Object.keys(statuses).sort()).toEqual(['gitops/app', 'gitops/prod', 'gitops/prod-app', 'gitops/web']);
    expect(statuses['gitops/app']).toMatchObject({
      state: 'success',
      description: 'deployed (update 4): 1 update',
      targetUrl: `${server.url}/42/-/jobs/11`,
      pipelineId: 501,
      author: 'gitops-bot',
    });
    expect(statuses['gitops/web']).toMatchObject({ state: 'failed', description: 'failed: web: <script>boom</script>' });
    expect(statuses['gitops/prod']).toMatchObject({
      state: 'pending',
      description: expect.stringContaining('waiting for approval: deploy refused: needs 1 approval'),
    });
    // Held back only by the stack waiting for approval: it waits too.
    expect(statuses['gitops/prod-app']).toMatchObject({
      state: 'pending',
      description: 'waiting for approval: depends on prod, which was skipped',
    });
    expect(lines().filter((l) => l.includes('deploy report'))).toEqual([]);
  });

  it('comments once on the merged MR with the summary, and a retry of the same pipeline updates that comment', async () => {
    const { base, head } = await mergedChange(82);
    await deploy(forgeOf('502'), base);
    const comments = () => project().mergeRequests.find((m) => m.number === 82)!.comments;
    expect(comments()).toHaveLength(1);
    const body = comments()[0]!.body;
    expect(body.startsWith('<!-- gitops:deploy:502 -->\n')).toBe(true);
    expect(body).toContain(`### ❌ Deploy of \`${head.slice(0, 12)}\`: 1 failed, 2 waiting for approval, 1 deployed`);
    expect(body).toContain(`[pipeline 502](${server.url}/42/-/pipelines/1) · [job](${server.url}/42/-/jobs/11)`);
    expect(body).toContain('| `app` | ✅ deployed | 4 | 1 update |');
    expect(body).toContain('| `web` | ❌ failed |  | web: &lt;script>boom&lt;/script> |');
    expect(body).toContain('| `prod` | ⏳ waiting for approval |  | deploy refused: needs 1 approval; merge request #82 has 0 |');

    // The job retried: same pipeline, same comment. GitLab refuses pending -> pending; the stack is already shown waiting.
    const retried = await deploy(forgeOf('502'), base);
    expect(comments()).toHaveLength(1);
    expect(retried.lines().filter((l) => l.includes('deploy report'))).toEqual([]);
    expect(server.requests.filter((q) => q.method === 'POST' && q.path.includes(`/statuses/${head}`) && q.status === 400)).toHaveLength(2);
    // A new pipeline for the same commit reports on its own.
    await deploy(forgeOf('503'), base);
    expect(comments().map((c) => c.body.split('\n')[0])).toEqual(['<!-- gitops:deploy:502 -->', '<!-- gitops:deploy:503 -->']);
  });

  it('a forge failing while reporting is a printed warning, and the deploy result stands', async () => {
    const { base } = await mergedChange(83);
    server.state.addFault({ platform: 'gitlab', method: 'POST', path: '/statuses/', status: 500, times: 100 });
    server.state.addFault({ platform: 'gitlab', method: 'POST', path: '/merge_requests/83/notes', status: 403, times: 1 });
    const { byName, lines } = await deploy(forgeOf('504'), base);
    server.state.faults.length = 0;
    expect(byName.get('app')).toMatchObject({ status: 'succeeded', updateVersion: 4 });
    const warnings = lines().filter((l) => l.includes('deploy report'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^warning: deploy report: could not set commit status gitops\/\S+ on \w{12} \(the deploy's result stands\): GitLab API POST \/projects\/42\/statuses\/\w+ failed: HTTP 500/,
      ),
      expect.stringMatching(
        /^warning: deploy report: could not comment on merge request #83 \(the deploy's result stands\): GitLab API POST .* failed: HTTP 403/,
      ),
    ]);
    // After the first failed status the others are not tried: a forge that is down would make each wait out its retries.
    const statusPosts = server.requests.filter((r) => r.method === 'POST' && r.path.includes('/statuses/') && r.status === 500);
    expect(statusPosts).toHaveLength(testForgeOptions.retryPolicy!.maxAttempts);
  });
});
