import { describe, expect, it } from 'vitest';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import { type ForgePlatform, GITHUB_MAX_BODY_CHARS, GITLAB_MAX_BODY_CHARS } from '../../src/forge/forge.js';
import { bodyBudget, markerFor } from '../../src/forge/markers.js';
import { ciEnv, type ForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { freshForgeServerEachTest } from '../helpers/fresh-forge-server.js';

let server: ForgeServer;
freshForgeServerEachTest((s) => {
  server = s;
});

const mrEnv = (platform: ForgePlatform, mr: number) =>
  platform === 'gitlab' ? { CI_MERGE_REQUEST_IID: String(mr) } : { GITHUB_REF: `refs/pull/${mr}/merge` };
const forgeFor = (platform: ForgePlatform, mr: number) =>
  createForge(forgeSettingsFromEnv(ciEnv(server, platform, mrEnv(platform, mr))), testForgeOptions);
const commentsOf = (platform: ForgePlatform, mr: number) =>
  server.state.project(platform, testProjects[platform]).mergeRequests.find((m) => m.number === mr)!.comments;
const writes = (platform: ForgePlatform) => server.requests.filter((r) => r.platform === platform && r.method !== 'GET');

describe.each(['gitlab', 'github'] as const)('%s merge request comment', (platform) => {
  it('creates the comment once, then updates it in place, found by its marker beyond page 1', async () => {
    server.state.addMergeRequest(platform, testProjects[platform], { number: 7 });
    // 150 comments by others: ours (the 151st, oldest first) lands on page 2 of 100.
    for (let i = 0; i < 150; i++) server.state.addComment(platform, testProjects[platform], 7, `review remark ${i}`);
    const forge = forgeFor(platform, 7);

    const first = await forge.upsertMergeRequestComment('preview', '## Preview\n1 to create');
    expect(first.action).toBe('created');
    const before = server.requests.length;
    const second = await forge.upsertMergeRequestComment('preview', '## Preview\n2 to create');
    expect(second).toMatchObject({ id: first.id, action: 'updated' });

    const ours = commentsOf(platform, 7).filter((c) => c.body.startsWith(markerFor('preview')));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toBe(`${markerFor('preview')}\n## Preview\n2 to create`);
    expect(commentsOf(platform, 7)).toHaveLength(151);
    const listed = server.requests.slice(before).filter((r) => r.method === 'GET');
    expect(listed.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(first.url).toContain(String(first.id));
  });

  it('leaves an identical comment alone, and keeps comments of other keys apart', async () => {
    server.state.addMergeRequest(platform, testProjects[platform], { number: 8 });
    const forge = forgeFor(platform, 8);
    await forge.upsertMergeRequestComment('preview', 'same');
    const writesBefore = writes(platform).length;
    expect((await forge.upsertMergeRequestComment('preview', 'same')).action).toBe('unchanged');
    expect(writes(platform)).toHaveLength(writesBefore);

    expect((await forge.upsertMergeRequestComment('deploy', 'deployed')).action).toBe('created');
    expect(commentsOf(platform, 8).map((c) => c.body)).toEqual([`${markerFor('preview')}\nsame`, `${markerFor('deploy')}\ndeployed`]);
  });

  it('does not take a quote of its comment for the comment itself', async () => {
    server.state.addMergeRequest(platform, testProjects[platform], { number: 9 });
    server.state.addComment(platform, testProjects[platform], 9, `> ${markerFor('preview')}\n> old preview\n\nwhy this change?`, {
      author: 'reviewer',
    });
    const result = await forgeFor(platform, 9).upsertMergeRequestComment('preview', 'new preview');
    expect(result.action).toBe('created');
    expect(commentsOf(platform, 9)[0]!.body).toContain('why this change?');
  });

  it('posts a body of exactly the budget, and refuses one character more before sending', async () => {
    server.state.addMergeRequest(platform, testProjects[platform], { number: 10 });
    const forge = forgeFor(platform, 10);
    expect(forge.maxBodyChars).toBe(platform === 'gitlab' ? GITLAB_MAX_BODY_CHARS : GITHUB_MAX_BODY_CHARS);
    const budget = bodyBudget(platform, 'preview');
    expect((await forge.upsertMergeRequestComment('preview', 'x'.repeat(budget))).action).toBe('created');
    expect(commentsOf(platform, 10)[0]!.body).toHaveLength(forge.maxBodyChars);

    const writesBefore = writes(platform).length;
    const err = await forge.upsertMergeRequestComment('preview', 'y'.repeat(budget + 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitopsError);
    expect(err).toMatchObject({ code: 'FORGE_ERROR', kind: 'internal' });
    expect((err as GitopsError).message).toContain(String(forge.maxBodyChars));
    expect(writes(platform)).toHaveLength(writesBefore);
  });

  it('refuses to guess a merge request outside a merge request pipeline', async () => {
    const forge = createForge(forgeSettingsFromEnv(ciEnv(server, platform)), testForgeOptions);
    const before = server.requests.length;
    const err = await forge.upsertMergeRequestComment('preview', 'x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FORGE_ERROR', kind: 'user' });
    expect((err as Error).message).toContain(platform === 'gitlab' ? 'CI_MERGE_REQUEST_IID' : 'GITHUB_REF');
    expect(server.requests.length).toBe(before);
    // An explicit number works without MR context (deploy-on-merge comments on the merged MR).
    server.state.addMergeRequest(platform, testProjects[platform], { number: 11 });
    expect((await forge.upsertMergeRequestComment('deploy', 'deployed', 11)).action).toBe('created');
  });
});

describe('auth headers the clients send', () => {
  it('uses PRIVATE-TOKEN on GitLab and a token Authorization on GitHub', async () => {
    for (const platform of ['gitlab', 'github'] as const) {
      server.state.addMergeRequest(platform, testProjects[platform], { number: 12 });
      await forgeFor(platform, 12).upsertMergeRequestComment('preview', 'x');
    }
    const gl = server.requests.find((r) => r.platform === 'gitlab')!;
    const gh = server.requests.find((r) => r.platform === 'github')!;
    expect(gl.headers['private-token']).toBe(server.state.tokens.gitlab);
    expect(gh.headers.authorization).toBe(`token ${server.state.tokens.github}`);
    expect(server.requests.every((r) => r.status !== 401)).toBe(true);
  });
});
