import { afterEach, describe, expect, it } from 'vitest';
import { drift, planDrift } from '../../src/drift/drift-run.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import { affectedStacks } from '../../src/merge-request/change-scope.js';
import { previewMergeRequest } from '../../src/merge-request/preview-merge-request.js';
import { testContext } from '../helpers/action-context.js';
import { ciEnv, type ForgeServer, startForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

/*
 * A job whose token lacks a right is refused before anything runs: no engine opened, no stack
 * previewed or checked, nothing posted. Real git, the real forge client against the local forge
 * server (which enforces the roles), a FakeEngine.
 */
let repo: GitRepo | undefined;
let server: ForgeServer | undefined;
afterEach(async () => {
  await repo?.dispose();
  await server?.close();
});

async function setup(token: { level?: number; permissions?: Record<string, 'read' | 'write'> }, platform: 'gitlab' | 'github') {
  server = await startForgeServer();
  repo = await createGitRepo(repoFiles({ web: stackFile({}) }));
  const base = await repo.sha();
  await repo.write({ 'stacks/web.yaml': `${stackFile({})}description: changed\n` });
  await repo.commit('change web');
  const variable = platform === 'gitlab' ? 'GITOPS_GITLAB_TOKEN' : 'GITHUB_TOKEN';
  server.state.addToken(platform, 'limited-token', {
    username: platform === 'gitlab' ? 'limited-bot' : 'github-actions[bot]',
    installation: platform === 'github',
    accessLevel: token.level,
    permissions: token.permissions,
  });
  server.state.addMergeRequest(platform, testProjects[platform], { number: 4 });
  const forge = createForge(
    forgeSettingsFromEnv(ciEnv(server, platform, { [variable]: 'limited-token', CI_MERGE_REQUEST_IID: '4' })),
    testForgeOptions,
  );
  const t = await testContext(repo.dir, { forge });
  return { t, base };
}

describe('refused at start, nothing run', () => {
  it('GitLab preview with a Guest token: FORGE_ACCESS, exit 2, no engine, no note', async () => {
    const { t, base } = await setup({ level: 10 }, 'gitlab');
    const scope = await affectedStacks(t.ctx, { base, head: 'HEAD' });
    const err = await previewMergeRequest(t.ctx, scope, { comment: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FORGE_ACCESS', message: expect.stringContaining('Reporter') });
    expect(exitCodeFor(err)).toBe(2);
    expect(t.engine.opened).toEqual([]);
    expect(server!.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('GitHub drift without issues permission: FORGE_ACCESS, exit 2, no stack checked', async () => {
    const { t } = await setup({ permissions: { contents: 'read', 'pull-requests': 'write' } }, 'github');
    const request = { selection: { all: true }, notify: true, allowDestroy: false } as const;
    const err = await drift(t.ctx, planDrift(t.ctx.catalog, request), request).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FORGE_ACCESS', message: expect.stringContaining('issues: write') });
    expect(exitCodeFor(err)).toBe(2);
    expect(t.engine.opened).toEqual([]);
  });

  it('the same jobs with the documented role run', async () => {
    const { t, base } = await setup({ level: 20 }, 'gitlab');
    t.engine.script('web', 'preview', { changes: { update: 1 } });
    const scope = await affectedStacks(t.ctx, { base, head: 'HEAD' });
    const done = await previewMergeRequest(t.ctx, scope, { comment: true });
    expect(done.comment?.action).toBe('created');
    expect(t.engine.opened).toEqual([['web']]);
  });
});
