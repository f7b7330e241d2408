import { describe, expect, it } from 'vitest';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { Forge } from '../../src/forge/forge.js';
import { ciEnv, type FakeReview, type ForgeServer, fakeSha, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { freshForgeServerEachTest } from '../helpers/fresh-forge-server.js';

let server: ForgeServer;
let gitlab: Forge;
let github: Forge;
const forgeFor = (platform: 'gitlab' | 'github', extra: Record<string, string> = {}) =>
  createForge(forgeSettingsFromEnv(ciEnv(server, platform, extra)), testForgeOptions);

freshForgeServerEachTest((s) => {
  server = s;
  gitlab = forgeFor('gitlab');
  github = forgeFor('github');
  // GitLab: Developer 30, Maintainer 40, Reporter 20; `renovate` is a bot by flag only.
  for (const [user, level] of [
    ['alice', 30],
    ['bob', 40],
    ['rita', 20],
    ['gitops-bot', 40],
    ['project_42_bot_1a2b', 40],
    ['renovate', 30],
  ] as const)
    server.state.addMember(testProjects.gitlab, user, level);
  server.state.user('gitlab', 'renovate', { bot: true });
  server.state.user('gitlab', 'gitops-bot', { bot: false }); // only "the user behind our token" may exclude it
  // GitHub: write, admin, maintain (reads as write), triage and read (read as read).
  for (const [login, role] of [
    ['alice', 'write'],
    ['bob', 'admin'],
    ['mia', 'maintain'],
    ['tom', 'triage'],
    ['rita', 'read'],
    ['deployer', 'write'],
    ['renovate', 'write'],
  ] as const) {
    server.state.addCollaborator(testProjects.github, login, role);
  }
  server.state.user('github', 'renovate', { bot: true });
});

describe('GitLab approvals (Premium, approvals reset on push)', () => {
  const cases: {
    name: string;
    required: number;
    approvedBy: (author: string) => string[];
    approved: boolean;
    approvers: string[];
    ignored?: [string, string][];
  }[] = [
    {
      name: 'both required approvals, by a Developer and a Maintainer',
      required: 2,
      approvedBy: () => ['alice', 'bob'],
      approved: true,
      approvers: ['alice', 'bob'],
    },
    { name: 'one of two required approvals', required: 2, approvedBy: () => ['alice'], approved: false, approvers: ['alice'] },
    {
      name: 'no rule and nobody approved (GitLab itself says approved)',
      required: 0,
      approvedBy: () => [],
      approved: false,
      approvers: [],
    },
    {
      name: "the author's own approval",
      required: 0,
      approvedBy: (author) => [author, 'alice'],
      approved: true,
      approvers: ['alice'],
      ignored: [['AUTHOR', 'the author of the merge request']],
    },
    {
      name: 'the user behind our token',
      required: 0,
      approvedBy: () => ['gitops-bot'],
      approved: false,
      approvers: [],
      ignored: [['gitops-bot', 'the user behind our token']],
    },
    {
      name: 'bots, by name and by the bot flag',
      required: 0,
      approvedBy: () => ['project_42_bot_1a2b', 'renovate'],
      approved: false,
      approvers: [],
      ignored: [
        ['project_42_bot_1a2b', 'a bot'],
        ['renovate', 'a bot'],
      ],
    },
    {
      name: 'a Reporter and a non-member',
      required: 0,
      approvedBy: () => ['rita', 'mallory'],
      approved: false,
      approvers: [],
      ignored: [
        ['rita', 'access level 20, below Developer (30)'],
        ['mallory', 'not a member of the project'],
      ],
    },
  ];
  it.each(cases.map((c, i) => ({ ...c, mr: 20 + i })))('$name', async ({ mr, required, approvedBy, approved, approvers, ignored = [] }) => {
    const author = `dev-${mr}`;
    server.state.addMember(testProjects.gitlab, author, 30);
    server.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: mr,
      approvalsRequired: required,
      approvedBy: approvedBy(author),
    });
    expect(await gitlab.mergeRequestApprovals(mr)).toEqual({
      approved,
      approvers,
      required,
      ignored: ignored.map(([user, reason]) => ({ user: user === 'AUTHOR' ? author : user, reason })),
    });
  });

  it('reads the project setting, the member and the user through the documented endpoints', async () => {
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 28, approvedBy: ['renovate'] });
    const before = server.requests.length;
    await forgeFor('gitlab').mergeRequestApprovals(28);
    const renovate = server.state.user('gitlab', 'renovate').id;
    expect(server.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /projects/42/merge_requests/28 200',
      'GET /user 200',
      'GET /projects/42/merge_requests/28/approvals 200',
      'GET /projects/42/approvals 200',
      'GET /projects/42/merge_requests/28/commits 200',
      `GET /users/${renovate} 200`,
    ]);
  });

  it('a writer who pushed commits to the MR does not approve it: every author and committer is excluded', async () => {
    server.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 29,
      author: 'dev-29',
      approvedBy: ['alice', 'bob'],
      commits: [
        { sha: fakeSha('c1'), author: 'dev-29', committer: 'dev-29' },
        { sha: fakeSha('c2'), author: 'dev-29', committer: 'alice' },
      ],
    });
    expect(await gitlab.mergeRequestApprovals(29)).toMatchObject({
      approved: true,
      approvers: ['bob'],
      ignored: [{ user: 'alice', reason: 'an author or committer of its commits' }],
    });
  });
});

describe('GitLab approvals that cannot be tied to the merged commit: fail closed', () => {
  it('GitLab Free: approvals carry no commit and nothing resets them, so none counts', async () => {
    server.state.project('gitlab', '43').tier = 'free';
    server.state.addMember('43', 'alice', 30);
    server.state.addMergeRequest('gitlab', '43', { number: 1, approvedBy: ['alice'] });
    const approvals = await forgeFor('gitlab', { CI_PROJECT_ID: '43' }).mergeRequestApprovals(1);
    expect(approvals).toMatchObject({ approved: false, approvers: ['alice'], ignored: [] });
    expect(approvals.required).toBeUndefined();
    expect(approvals.unverifiable).toMatch(
      /^approvals on GitLab carry no commit, and the project's approval settings cannot be read \(GitLab Free/,
    );
    expect(server.requests.find((r) => r.path === '/projects/43/approvals')?.status).toBe(404);
  });

  it('Premium, but approvals survive pushes: none counts', async () => {
    server.state.project('gitlab', '44').resetApprovalsOnPush = false;
    server.state.addMember('44', 'alice', 30);
    server.state.addMergeRequest('gitlab', '44', { number: 1, approvalsRequired: 1, approvedBy: ['alice'] });
    const approvals = await forgeFor('gitlab', { CI_PROJECT_ID: '44' }).mergeRequestApprovals(1);
    expect(approvals).toMatchObject({ approved: false, approvers: ['alice'], required: 1 });
    expect(approvals.unverifiable).toContain('this project keeps approvals when commits are added');
  });
});

describe('GitHub approvals: APPROVED on the final head commit, by someone with write access', () => {
  type Review = [string, FakeReview['state'], 'old'?];
  const cases: {
    name: string;
    reviews: Review[];
    approved: boolean;
    approvers: string[];
    changesRequestedBy?: string[];
    ignored?: [string, string][];
  }[] = [
    {
      name: 'an approval, and a comment from someone else',
      reviews: [
        ['alice', 'APPROVED'],
        ['bob', 'COMMENTED'],
      ],
      approved: true,
      approvers: ['alice'],
    },
    {
      name: 'a later change request cancels the approval',
      reviews: [
        ['alice', 'APPROVED'],
        ['alice', 'CHANGES_REQUESTED'],
      ],
      approved: false,
      approvers: [],
      changesRequestedBy: ['alice'],
    },
    {
      name: 'a later comment does not cancel the approval',
      reviews: [
        ['alice', 'CHANGES_REQUESTED'],
        ['alice', 'APPROVED'],
        ['alice', 'COMMENTED'],
      ],
      approved: true,
      approvers: ['alice'],
    },
    {
      name: 'a writer still requests changes',
      reviews: [
        ['alice', 'APPROVED'],
        ['bob', 'CHANGES_REQUESTED'],
      ],
      approved: false,
      approvers: ['alice'],
      changesRequestedBy: ['bob'],
    },
    {
      name: 'a change request without write access does not block',
      reviews: [
        ['alice', 'APPROVED'],
        ['rita', 'CHANGES_REQUESTED'],
      ],
      approved: true,
      approvers: ['alice'],
    },
    {
      name: 'a dismissed approval, and a pending review',
      reviews: [
        ['alice', 'DISMISSED'],
        ['bob', 'PENDING'],
      ],
      approved: false,
      approvers: [],
    },
    { name: 'no reviews', reviews: [], approved: false, approvers: [] },
    {
      name: 'an approval of an earlier commit',
      reviews: [
        ['alice', 'APPROVED', 'old'],
        ['mia', 'APPROVED'],
      ],
      approved: true,
      approvers: ['mia'],
      ignored: [['alice', 'EARLIER']],
    },
    {
      name: 'bots: github-actions[bot] and a flagged bot',
      reviews: [
        ['github-actions[bot]', 'APPROVED'],
        ['renovate', 'APPROVED'],
      ],
      approved: false,
      approvers: [],
      ignored: [
        ['github-actions[bot]', 'a bot'],
        ['renovate', 'a bot'],
      ],
    },
    {
      name: 'triage, read and no access do not count; maintain does',
      reviews: [
        ['tom', 'APPROVED'],
        ['rita', 'APPROVED'],
        ['stranger', 'APPROVED'],
        ['mia', 'APPROVED'],
      ],
      approved: true,
      approvers: ['mia'],
      ignored: [
        ['tom', 'no write access (permission read)'],
        ['rita', 'no write access (permission read)'],
        ['stranger', 'no write access (permission none)'],
      ],
    },
    {
      name: "the author's own approval",
      reviews: [['AUTHOR', 'APPROVED']],
      approved: false,
      approvers: [],
      ignored: [['AUTHOR', 'the author of the pull request']],
    },
  ];
  it.each(cases.map((c, i) => ({ ...c, pr: 30 + i })))(
    '$name',
    async ({ pr, reviews, approved, approvers, changesRequestedBy = [], ignored = [] }) => {
      const author = `dev-${pr}`;
      server.state.addCollaborator(testProjects.github, author, 'write');
      const head = server.state.addMergeRequest('github', testProjects.github, { number: pr }).headSha;
      const old = fakeSha(`earlier commit of ${pr}`);
      for (const [user, state, when] of reviews)
        server.state.addReview(testProjects.github, pr, user === 'AUTHOR' ? author : user, state, when === 'old' ? { commitId: old } : {});
      const earlier = `approved ${old.slice(0, 12)}, not the final commit ${head.slice(0, 12)}`;
      const expected = ignored.map(([user, reason]) => ({
        user: user === 'AUTHOR' ? author : user,
        reason: reason === 'EARLIER' ? earlier : reason,
      }));
      expect(await github.mergeRequestApprovals(pr)).toEqual({ approved, approvers, changesRequestedBy, ignored: expected });
    },
  );

  it('an approval stops counting when the pull request gets a new commit', async () => {
    const pr = server.state.addMergeRequest('github', testProjects.github, { number: 45 });
    server.state.addReview(testProjects.github, 45, 'alice', 'APPROVED');
    expect(await github.mergeRequestApprovals(45)).toMatchObject({ approved: true, approvers: ['alice'] });
    pr.headSha = fakeSha('pushed after the approval');
    expect(await github.mergeRequestApprovals(45)).toMatchObject({
      approved: false,
      approvers: [],
      ignored: [{ user: 'alice', reason: expect.stringMatching(/^approved \w{12}, not the final commit/) }],
    });
  });

  it("a writer who pushed commits to someone else's pull request, then approved, is not counted", async () => {
    server.state.addMergeRequest('github', testProjects.github, {
      number: 47,
      commits: [
        { sha: fakeSha('p1'), author: 'dev-47', committer: 'web-flow' },
        { sha: fakeSha('p2'), author: 'mia', committer: 'mia' },
      ],
    });
    server.state.addReview(testProjects.github, 47, 'mia', 'APPROVED');
    server.state.addReview(testProjects.github, 47, 'alice', 'APPROVED');
    expect(await github.mergeRequestApprovals(47)).toEqual({
      approved: true,
      approvers: ['alice'],
      changesRequestedBy: [],
      ignored: [{ user: 'mia', reason: 'an author or committer of its commits' }],
    });
  });

  it('the user behind our token does not approve its own deploys', async () => {
    server.state.addToken('github', 'ghp_deployer_token', { username: 'deployer' });
    server.state.addMergeRequest('github', testProjects.github, { number: 46 });
    server.state.addReview(testProjects.github, 46, 'deployer', 'APPROVED');
    const forge = forgeFor('github', { GITHUB_TOKEN: 'ghp_deployer_token' });
    expect(await forge.mergeRequestApprovals(46)).toEqual({
      approved: false,
      approvers: [],
      changesRequestedBy: [],
      ignored: [{ user: 'deployer', reason: 'the user behind our token' }],
    });
  });

  it('reads every page of reviews, and asks each login its permission once', async () => {
    server.state.addMergeRequest('github', testProjects.github, { number: 60 });
    for (let i = 0; i < 120; i++) server.state.addReview(testProjects.github, 60, `bot${i % 3}`, 'COMMENTED');
    server.state.addReview(testProjects.github, 60, 'bob', 'APPROVED');
    const asked = () => server.requests.filter((r) => r.path === '/repos/acme/infra/collaborators/bob/permission').length;
    const before = asked();
    const forge = forgeFor('github');
    expect(await forge.mergeRequestApprovals(60)).toMatchObject({ approved: true, approvers: ['bob'] });
    await forge.mergeRequestApprovals(60);
    expect(server.requests.filter((r) => r.path.endsWith('/pulls/60/reviews')).map((r) => r.query.page ?? '1')).toEqual([
      '1',
      '2',
      '1',
      '2',
    ]);
    expect(asked() - before).toBe(1);
  });

  it('defaults to the pull request of the pipeline', async () => {
    server.state.addMergeRequest('github', testProjects.github, { number: 41 });
    server.state.addReview(testProjects.github, 41, 'alice', 'APPROVED');
    const forge = forgeFor('github', { GITHUB_REF: 'refs/pull/41/merge' });
    expect(await forge.mergeRequestApprovals()).toMatchObject({ approved: true, approvers: ['alice'] });
  });
});
