import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeContextFromEnv } from '../../src/forge/context.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { Forge, ForgePlatform } from '../../src/forge/forge.js';
import { ciEnv, startForgeServer, testProjects, type FakeReview, type ForgeServer } from '../helpers/forge-server.js';

let server: ForgeServer;
let forges: Record<ForgePlatform, Forge>;
beforeAll(async () => {
  server = await startForgeServer();
  forges = { gitlab: createForge(forgeContextFromEnv(ciEnv(server, 'gitlab'))), github: createForge(forgeContextFromEnv(ciEnv(server, 'github'))) };
});
afterAll(async () => {
  await server.close();
});

describe('GitLab approvals', () => {
  const cases: { name: string; required: number; approvedBy: string[]; approved: boolean }[] = [
    { name: 'one of two required approvals', required: 2, approvedBy: ['alice'], approved: false },
    { name: 'both required approvals', required: 2, approvedBy: ['alice', 'bob'], approved: true },
    { name: 'no rule and nobody approved (GitLab itself says approved)', required: 0, approvedBy: [], approved: false },
    { name: 'no rule and one approval', required: 0, approvedBy: ['carol'], approved: true },
  ];
  it.each(cases.map((c, i) => ({ ...c, mr: 20 + i })))('$name', async ({ mr, required, approvedBy, approved }) => {
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: mr, approvalsRequired: required, approvedBy });
    expect(await forges.gitlab.mergeRequestApprovals(mr)).toEqual({ approved, approvers: approvedBy, required });
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', path: `/projects/42/merge_requests/${mr}/approvals`, status: 200 });
  });
});

describe('GitHub approvals: the latest review of each user counts', () => {
  const cases: { name: string; reviews: [string, FakeReview['state']][]; approved: boolean; approvers: string[]; changesRequestedBy: string[] }[] = [
    { name: 'an approval, and a comment from someone else', reviews: [['alice', 'APPROVED'], ['bob', 'COMMENTED']], approved: true, approvers: ['alice'], changesRequestedBy: [] },
    { name: 'a later change request cancels the approval', reviews: [['alice', 'APPROVED'], ['alice', 'CHANGES_REQUESTED']], approved: false, approvers: [], changesRequestedBy: ['alice'] },
    { name: 'a later comment does not cancel the approval', reviews: [['alice', 'CHANGES_REQUESTED'], ['alice', 'APPROVED'], ['alice', 'COMMENTED']], approved: true, approvers: ['alice'], changesRequestedBy: [] },
    { name: 'another reviewer still requests changes', reviews: [['alice', 'APPROVED'], ['bob', 'CHANGES_REQUESTED']], approved: false, approvers: ['alice'], changesRequestedBy: ['bob'] },
    { name: 'a dismissed approval', reviews: [['alice', 'DISMISSED'], ['bob', 'PENDING']], approved: false, approvers: [], changesRequestedBy: [] },
    { name: 'no reviews', reviews: [], approved: false, approvers: [], changesRequestedBy: [] },
  ];
  it.each(cases.map((c, i) => ({ ...c, pr: 30 + i })))('$name', async ({ pr, reviews, approved, approvers, changesRequestedBy }) => {
    server.state.addMergeRequest('github', testProjects.github, { number: pr });
    for (const [user, state] of reviews) server.state.addReview(testProjects.github, pr, user, state);
    expect(await forges.github.mergeRequestApprovals(pr)).toEqual({ approved, approvers, changesRequestedBy });
  });

  it('reads every page of reviews', async () => {
    server.state.addMergeRequest('github', testProjects.github, { number: 40 });
    for (let i = 0; i < 120; i++) server.state.addReview(testProjects.github, 40, `bot${i % 3}`, 'COMMENTED');
    server.state.addReview(testProjects.github, 40, 'dave', 'APPROVED');
    expect(await forges.github.mergeRequestApprovals(40)).toMatchObject({ approved: true, approvers: ['dave'] });
    expect(server.requests.filter((r) => r.path.endsWith('/pulls/40/reviews')).map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
  });

  it('defaults to the pull request of the pipeline', async () => {
    server.state.addMergeRequest('github', testProjects.github, { number: 41 });
    server.state.addReview(testProjects.github, 41, 'erin', 'APPROVED');
    const forge = createForge(forgeContextFromEnv(ciEnv(server, 'github', { GITHUB_REF: 'refs/pull/41/merge' })));
    expect(await forge.mergeRequestApprovals()).toMatchObject({ approved: true, approvers: ['erin'] });
  });
});

describe.each(['gitlab', 'github'] as const)('%s merge request of a commit', (platform) => {
  it('finds the merged merge request a commit came from', async () => {
    const project = testProjects[platform];
    server.state.addMergeRequest(platform, project, { number: 50, title: 'older, still open', state: 'open', sourceBranch: 'wip' });
    server.state.addMergeRequest(platform, project, { number: 51, title: 'Add bucket', state: 'merged', sourceBranch: 'add-bucket', targetBranch: 'main' });
    const sha = 'c'.repeat(40);
    server.state.linkCommit(platform, project, sha, 50);
    server.state.linkCommit(platform, project, sha, 51);
    expect(await forges[platform].mergeRequestForCommit(sha)).toMatchObject({ number: 51, title: 'Add bucket', state: 'merged', sourceBranch: 'add-bucket', targetBranch: 'main' });
    const lookup = server.requests.at(-1)!;
    expect(lookup.path).toBe(platform === 'gitlab' ? `/projects/42/repository/commits/${sha}/merge_requests` : `/repos/acme/infra/commits/${sha}/pulls`);
  });

  it('uses the pipeline commit by default, and answers undefined for a commit pushed without one', async () => {
    const project = testProjects[platform];
    const pipelineSha = platform === 'gitlab' ? 'a'.repeat(40) : 'b'.repeat(40);
    server.state.addMergeRequest(platform, project, { number: 52, state: 'open' });
    server.state.linkCommit(platform, project, pipelineSha, 52);
    expect(await forges[platform].mergeRequestForCommit()).toMatchObject({ number: 52, state: 'open' });
    expect(await forges[platform].mergeRequestForCommit('d'.repeat(40))).toBeUndefined();
  });
});
