/** The fake forge's state as tests seed it and routes change it: one per server, so fresh per test. */
import type {
  FakeComment,
  FakeIdentity,
  FakeMergeRequest,
  FakePlatform,
  FakeProject,
  FakeReview,
  FakeUser,
  FaultRule,
  ForgeServerState,
  GithubRole,
} from './model.js';

/** A SHA-like value for seeded heads: 40 hex digits derived from `seed`. */
export function fakeSha(seed: string): string {
  let h = 0x811c9dc5;
  let out = '';
  while (out.length < 40) {
    for (const ch of `${seed}:${out.length}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}

export function createState(): ForgeServerState & { nextId(): number; now(): string } {
  let id = 1000;
  let userId = 100;
  let tick = 0;
  const now = () => new Date(Date.UTC(2024, 0, 1) + tick++ * 1000).toISOString();
  const users: Record<FakePlatform, Map<string, FakeUser>> = { gitlab: new Map(), github: new Map() };
  const tokens = { gitlab: 'glpat-test-0123456789abcdef', github: 'ghs_test0123456789abcdef' };
  const state = {
    tokens,
    identities: {
      // A GitLab project access token acts as a bot user of its own.
      gitlab: new Map<string, FakeIdentity>([[tokens.gitlab, { username: 'gitops-bot' }]]),
      // The Actions GITHUB_TOKEN is an installation token: it writes as github-actions[bot].
      github: new Map<string, FakeIdentity>([[tokens.github, { username: 'github-actions[bot]', installation: true }]]),
    },
    projects: { gitlab: new Map<string, FakeProject>(), github: new Map<string, FakeProject>() },
    nextId: () => ++id,
    now,
    user(platform: FakePlatform, username: string, options: { bot?: boolean } = {}): FakeUser {
      let u = users[platform].get(username);
      if (!u) {
        u = { id: ++userId, username, bot: /\[bot\]$|^(project|group)_\d+_bot/.test(username) };
        users[platform].set(username, u);
      }
      if (options.bot !== undefined) u.bot = options.bot;
      return u;
    },
    userById(platform: FakePlatform, userIdWanted: number): FakeUser | undefined {
      return [...users[platform].values()].find((u) => u.id === userIdWanted);
    },
    addToken(platform: FakePlatform, token: string, identity: FakeIdentity): void {
      state.identities[platform].set(token, identity);
    },
    addMember(project: string, username: string, accessLevel: number): void {
      state.user('gitlab', username);
      state.project('gitlab', project).members.set(username, accessLevel);
    },
    addCollaborator(project: string, login: string, role: GithubRole): void {
      state.user('github', login);
      state.project('github', project).collaborators.set(login, role);
    },
    project(platform: FakePlatform, key: string): FakeProject {
      let p = state.projects[platform].get(key);
      if (!p) {
        p = emptyProject();
        state.projects[platform].set(key, p);
      }
      return p;
    },
    addMergeRequest(platform: FakePlatform, project: string, mr: Partial<FakeMergeRequest> & { number: number }): FakeMergeRequest {
      const full: FakeMergeRequest = {
        title: `MR ${mr.number}`,
        body: '',
        state: 'open',
        sourceBranch: `feature-${mr.number}`,
        targetBranch: 'main',
        author: `dev-${mr.number}`,
        headSha: fakeSha(`${platform}/${project}!${mr.number}`),
        comments: [],
        approvedBy: [],
        approvalsRequired: 0,
        reviews: [],
        commits: [],
        createdAt: now(),
        ...mr,
      };
      state.project(platform, project).mergeRequests.push(full);
      return full;
    },
    addComment(
      platform: FakePlatform,
      project: string,
      mr: number,
      body: string,
      options: { author?: string; system?: boolean } = {},
    ): FakeComment {
      const target = state.project(platform, project).mergeRequests.find((m) => m.number === mr);
      if (!target) throw new Error(`seed the merge request ${mr} first`);
      const at = now();
      const comment = {
        id: id++,
        body,
        author: options.author ?? 'someone',
        system: options.system ?? false,
        createdAt: at,
        updatedAt: at,
      };
      target.comments.push(comment);
      return comment;
    },
    addReview(
      project: string,
      pr: number,
      user: string,
      reviewState: FakeReview['state'],
      options: { commitId?: string } = {},
    ): FakeReview {
      const target = state.project('github', project).mergeRequests.find((m) => m.number === pr);
      if (!target) throw new Error(`seed the pull request ${pr} first`);
      const review = {
        id: id++,
        user,
        state: reviewState,
        submittedAt: reviewState === 'PENDING' ? undefined : now(),
        commitId: options.commitId ?? target.headSha,
      };
      target.reviews.push(review);
      return review;
    },
    linkCommit(platform: FakePlatform, project: string, sha: string, mr: number): void {
      const commits = state.project(platform, project).commits;
      commits.set(sha, [...(commits.get(sha) ?? []), mr]);
    },
    push(platform: FakePlatform, project: string, mr: number, sha: string, options: { author?: string } = {}): void {
      const p = state.project(platform, project);
      const target = p.mergeRequests.find((m) => m.number === mr);
      if (!target) throw new Error(`seed the merge request ${mr} first`);
      const author = options.author ?? target.author;
      target.headSha = sha;
      target.commits.push({ sha, author, committer: author });
      state.linkCommit(platform, project, sha, mr);
      if (platform === 'gitlab' && p.tier === 'premium' && p.resetApprovalsOnPush) target.approvedBy = [];
    },
    faults: [] as FaultRule[],
    addFault(rule: FaultRule): void {
      state.faults.push({ ...rule });
    },
  };
  return state;
}

export function emptyProject(): FakeProject {
  return {
    issues: [],
    statuses: [],
    mergeRequests: [],
    commits: new Map(),
    defaultBranch: 'main',
    members: new Map(),
    collaborators: new Map(),
    tier: 'premium',
    resetApprovalsOnPush: true,
  };
}

export function nextNumber(p: FakeProject): number {
  return Math.max(0, ...p.issues.map((i) => i.number), ...p.mergeRequests.map((m) => m.number)) + 1;
}

/** The merge requests that contain commit `sha` (linked by `linkCommit` or `push`), whatever their state or target. */
export function mergeRequestsOfCommit(p: FakeProject, sha: string): FakeMergeRequest[] {
  const numbers = p.commits.get(sha) ?? [];
  return p.mergeRequests.filter((m) => numbers.includes(m.number));
}

/** The state routes work on: the server's, with ID and clock counters. */
export type FakeState = ReturnType<typeof createState>;
