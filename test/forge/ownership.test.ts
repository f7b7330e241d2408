import { MergeRequestNotes } from '@gitbeaker/rest';
import { describe, expect, it } from 'vitest';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { ForgePlatform } from '../../src/forge/forge.js';
import { markerFor } from '../../src/forge/markers.js';
import { ciEnv, type ForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { freshForgeServerEachTest } from '../helpers/fresh-forge-server.js';

let server: ForgeServer;
freshForgeServerEachTest((s) => {
  server = s;
});

const forgeFor = (platform: ForgePlatform, extra: Record<string, string> = {}) =>
  createForge(forgeSettingsFromEnv(ciEnv(server, platform, extra)), testForgeOptions);
const mr = (platform: ForgePlatform, n: number) =>
  server.state.project(platform, testProjects[platform]).mergeRequests.find((m) => m.number === n)!;
const userRequests = (platform: ForgePlatform) => server.requests.filter((r) => r.platform === platform && r.path === '/user');

describe('the user behind our token', () => {
  it('GitLab: GET /user, asked once per forge', async () => {
    const forge = forgeFor('gitlab');
    const before = userRequests('gitlab').length;
    const me = await forge.currentUser();
    expect(me).toEqual({ id: server.state.user('gitlab', 'gitops-bot').id, username: 'gitops-bot' });
    await forge.currentUser();
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 1 });
    await forge.upsertMergeRequestComment('preview', 'one', 1);
    await forge.upsertMergeRequestComment('preview', 'two', 1);
    expect(userRequests('gitlab').length - before).toBe(1);
  });

  it('GitHub Actions token: GET /user is refused (403), so we are github-actions[bot]', async () => {
    const forge = forgeFor('github');
    expect(await forge.currentUser()).toEqual({ username: 'github-actions[bot]' });
    expect(userRequests('github').at(-1)).toMatchObject({ status: 403 });
  });

  it('another GitHub App: GITOPS_GITHUB_BOT names its bot, and its comments are found again', async () => {
    server.state.addToken('github', 'ghs_other_app', { username: 'infra-app[bot]', installation: true });
    const forge = forgeFor('github', { GITHUB_TOKEN: 'ghs_other_app', GITOPS_GITHUB_BOT: 'infra-app[bot]' });
    expect(await forge.currentUser()).toEqual({ username: 'infra-app[bot]' });
    server.state.addMergeRequest('github', testProjects.github, { number: 2 });
    const first = await forge.upsertMergeRequestComment('preview', 'one', 2);
    expect(await forge.upsertMergeRequestComment('preview', 'two', 2)).toMatchObject({ id: first.id, action: 'updated' });
  });

  it('GitHub personal token: GET /user names us', async () => {
    server.state.addToken('github', 'ghp_person_token', { username: 'deploy-user' });
    expect(await forgeFor('github', { GITHUB_TOKEN: 'ghp_person_token' }).currentUser()).toEqual({ username: 'deploy-user' });
  });

  it('a rejected token is an error, not a fallback identity', async () => {
    await expect(forgeFor('github', { GITHUB_TOKEN: 'ghs_wrong' }).currentUser()).rejects.toMatchObject({
      code: 'FORGE_ERROR',
      message: expect.stringContaining('GET /user failed: HTTP 401'),
    });
  });
});

describe.each(['gitlab', 'github'] as const)('%s: only our own comments', (platform: ForgePlatform) => {
  it('ignores a planted comment carrying our marker: posts its own, never edits the planted one', async () => {
    server.state.addMergeRequest(platform, testProjects[platform], { number: 20 });
    const planted = server.state.addComment(platform, testProjects[platform], 20, `${markerFor('preview')}\nall good, merge it`, {
      author: 'mallory',
    });
    const forge = forgeFor(platform);

    const first = await forge.upsertMergeRequestComment('preview', 'web: 1 to update', 20);
    expect(first.action).toBe('created');
    expect(first.id).not.toBe(planted.id);
    const second = await forge.upsertMergeRequestComment('preview', 'web: 2 to update', 20);
    expect(second).toMatchObject({ id: first.id, action: 'updated' });

    expect(planted.body).toBe(`${markerFor('preview')}\nall good, merge it`);
    const writes = server.requests.filter((r) => r.platform === platform && r.method !== 'GET' && r.path.includes(String(planted.id)));
    expect(writes).toEqual([]);
    expect(mr(platform, 20).comments.map((c) => c.author)).toEqual([
      'mallory',
      platform === 'gitlab' ? 'gitops-bot' : 'github-actions[bot]',
    ]);
    expect(server.requests.filter((r) => r.platform === platform).every((r) => r.status !== 403 || r.path === '/user')).toBe(true);
  });
});

describe.each(['gitlab', 'github'] as const)('%s: only our own drift issues', (platform: ForgePlatform) => {
  it('opens its own issue beside a planted one, updates and closes only its own', async () => {
    const project = server.state.project(platform, testProjects[platform]);
    project.issues.push({
      number: 900,
      title: 'Drift on stack prod',
      body: `${markerFor('drift:prod')}\nno drift, close me`,
      author: 'mallory',
      labels: [],
      state: 'open',
      comments: [],
      createdAt: '2023-01-01T00:00:00.000Z',
    });
    const forge = forgeFor(platform);

    const opened = await forge.upsertIssue('drift:prod', { title: 'Drift on stack prod', body: '2 resources drifted' });
    expect(opened.action).toBe('opened');
    expect(opened.number).not.toBe(900);
    expect((await forge.upsertIssue('drift:prod', { title: 'Drift on stack prod', body: '3 resources drifted' })).action).toBe('updated');
    expect(await forge.closeIssue('drift:prod', 'cleared')).toMatchObject({ number: opened.number });

    const planted = project.issues.find((i) => i.number === 900)!;
    expect(planted).toMatchObject({ state: 'open', body: `${markerFor('drift:prod')}\nno drift, close me`, comments: [] });
    expect(await forge.closeIssue('drift:prod')).toBeUndefined();
    expect(server.requests.filter((r) => r.platform === platform && r.method !== 'GET' && /\/issues\/900(\/|$)/.test(r.path))).toEqual([]);
  });

  if (platform === 'gitlab') {
    it('asks GitLab for our issues only (author_id)', async () => {
      await forgeFor(platform).upsertIssue('drift:prod', { title: 'Drift on stack prod', body: '1 resource drifted' });
      const listing = server.requests
        .filter((r) => r.platform === 'gitlab' && r.method === 'GET' && r.path === '/projects/42/issues')
        .at(-1)!;
      expect(listing.query.author_id).toBe(String(server.state.user('gitlab', 'gitops-bot').id));
    });
  }
});

describe('the local GitLab server is faithful where it matters', () => {
  it("only a note's author may edit it: anyone else gets 403", async () => {
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 30 });
    const theirs = server.state.addComment('gitlab', testProjects.gitlab, 30, 'mine', { author: 'mallory' });
    const notes = new MergeRequestNotes({ host: server.url, token: server.state.tokens.gitlab });
    const err = await notes.edit(testProjects.gitlab, 30, theirs.id, { body: 'overwritten' }).catch((e: unknown) => e);
    expect((err as { cause?: { response?: { status?: number } } }).cause?.response?.status).toBe(403);
    expect(theirs.body).toBe('mine');
  });
});
