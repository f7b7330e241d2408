/** The fake forge's model (types): projects, users and tokens, merge requests, issues, comments, statuses, faults. state.ts holds them. */
import type http from 'node:http';
import type { GithubPermissions } from '../forge-permissions.js';

export type FakePlatform = 'gitlab' | 'github';

export interface FakeComment {
  id: number;
  body: string;
  author: string;
  /** GitLab system notes ("added 1 commit"). */
  system: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  /** Who opened it; 'someone' when a test pushes an issue without one. */
  author?: string;
  labels: string[];
  state: 'open' | 'closed';
  stateReason?: string;
  comments: FakeComment[];
  createdAt: string;
}

export interface FakeReview {
  id: number;
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  submittedAt?: string;
  /** The commit reviewed: the pull request's head when the review was submitted. */
  commitId: string;
}

/** A forge account. GitLab compares users by `id`, GitHub by login. */
export interface FakeUser {
  id: number;
  username: string;
  /** GitLab `bot: true`; GitHub `type: "Bot"`. */
  bot: boolean;
}

/** Who a token acts as. A GitHub App installation token (the Actions GITHUB_TOKEN) has no `/user`. */
export interface FakeIdentity {
  username: string;
  installation?: boolean;
  /** GitLab: the token user's access level where the project lists no membership for it (default 40, Maintainer). */
  accessLevel?: number;
  /** GitLab: the token's scopes (default `api`). */
  scopes?: string[];
  /** GitHub installation token: its permissions (default: what the templates grant). */
  permissions?: GithubPermissions;
  /** GitHub user token: its repository role where the repository lists no collaborator for it (default write). */
  role?: GithubRole;
}

/** GitHub repository roles; the permission endpoint reports maintain as write and triage as read. */
export type GithubRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

/** A GitLab merge request or GitHub pull request; each platform reads its own fields. */
export interface FakeMergeRequest {
  number: number;
  title: string;
  /** The MR description (GitHub also lists it among issues). */
  body: string;
  state: 'open' | 'merged' | 'closed';
  sourceBranch: string;
  targetBranch: string;
  /** Username of the author. */
  author: string;
  /** The source branch's last commit (GitLab `sha`, GitHub `head.sha`). */
  headSha: string;
  mergeCommitSha?: string;
  /** GitLab: the squash commit of a squashed merge. */
  squashCommitSha?: string;
  comments: FakeComment[];
  /** GitLab approvals. */
  approvedBy: string[];
  approvalsRequired: number;
  /** GitHub reviews, oldest first. */
  reviews: FakeReview[];
  /** The MR's commits, oldest first, with the usernames of their author and committer. Default: none listed. */
  commits: FakeCommit[];
  createdAt: string;
}

/** A commit of a merge request: who wrote it and who committed (pushed) it. */
export interface FakeCommit {
  sha: string;
  author: string;
  committer: string;
}

/** A commit status (GitLab) or status context (GitHub) as posted; the latest per name is the one shown. */
export interface FakeStatus {
  sha: string;
  /** GitLab `name`, GitHub `context`. */
  name: string;
  /** As the platform names it: GitLab pending/running/success/failed/canceled, GitHub error/failure/pending/success. */
  state: string;
  description?: string;
  targetUrl?: string;
  /** GitLab `pipeline_id`, when given. */
  pipelineId?: number;
  author: string;
  createdAt: string;
}

/**
 * A failure the server answers instead of (or after) handling a request, as a proxy or an
 * overloaded forge would. `when: 'before'` (default) answers without touching state, like a
 * rate limit; `'after'` handles the request, then answers the fault, like a proxy that lost
 * the reply (the note exists, the client sees 502).
 */
export interface FaultRule {
  platform?: FakePlatform;
  method: string;
  /** Matches the path below the API root (substring, or a RegExp). */
  path: string | RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  when?: 'before' | 'after';
  /** How many matching requests it answers; then it is spent. */
  times: number;
}

export interface FakeProject {
  issues: FakeIssue[];
  /** Commit statuses in the order posted. */
  statuses: FakeStatus[];
  mergeRequests: FakeMergeRequest[];
  /** Commit SHA -> numbers of the merge requests that contain it. */
  commits: Map<string, number[]>;
  defaultBranch: string;
  /** GitLab members by username: access level (10 Guest, 20 Reporter, 30 Developer, 40 Maintainer, 50 Owner). */
  members: Map<string, number>;
  /** GitHub collaborators by login. */
  collaborators: Map<string, GithubRole>;
  /** GitLab: Free has no project approval settings; Premium has them. Default premium. */
  tier: 'free' | 'premium';
  /** GitLab Premium "Remove all approvals when commits are added to the source branch". Default true. */
  resetApprovalsOnPush: boolean;
}

export interface ForgeServerState {
  /** The default token of each platform: GitLab's acts as `gitops-bot`, GitHub's is an Actions installation token. */
  tokens: Record<FakePlatform, string>;
  /** Every token the server accepts, and who it acts as. */
  identities: Record<FakePlatform, Map<string, FakeIdentity>>;
  /** Accepts `token`, acting as `username` (created if new); GitHub: `installation` for an App token. */
  addToken(platform: FakePlatform, token: string, identity: FakeIdentity): void;
  /** The account named `username`, created on first use (bots by name: `x[bot]`, `project_1_bot_x`). */
  user(platform: FakePlatform, username: string, options?: { bot?: boolean }): FakeUser;
  userById(platform: FakePlatform, id: number): FakeUser | undefined;
  /** GitLab: makes `username` a member of the project at `accessLevel`. */
  addMember(project: string, username: string, accessLevel: number): void;
  /** GitHub: makes `login` a collaborator of the repository with `role`. */
  addCollaborator(project: string, login: string, role: GithubRole): void;
  /** GitLab projects by ID as the client sent it (decoded); GitHub repositories by `owner/repo`. */
  projects: Record<FakePlatform, Map<string, FakeProject>>;
  /** The project, created empty on first use. */
  project(platform: FakePlatform, id: string): FakeProject;
  addMergeRequest(platform: FakePlatform, project: string, mr: Partial<FakeMergeRequest> & { number: number }): FakeMergeRequest;
  /** Seeds a comment (e.g. someone else's, to fill pages); returns it. */
  addComment(
    platform: FakePlatform,
    project: string,
    mr: number,
    body: string,
    options?: { author?: string; system?: boolean },
  ): FakeComment;
  /** A review of the pull request's current head, unless `commitId` says otherwise. */
  addReview(project: string, pr: number, user: string, state: FakeReview['state'], options?: { commitId?: string }): FakeReview;
  linkCommit(platform: FakePlatform, project: string, sha: string, mr: number): void;
  /**
   * A push to the merge request's source branch: `sha` becomes its head and one of its commits.
   * GitLab Premium with "reset approvals on push" removes every approval, as GitLab does.
   */
  push(platform: FakePlatform, project: string, mr: number, sha: string, options?: { author?: string }): void;
  /** Faults still to answer, first match wins. */
  faults: FaultRule[];
  /** Answers the next `rule.times` matching requests with the fault. */
  addFault(rule: FaultRule): void;
}

export interface RecordedRequest {
  platform: FakePlatform | 'unknown';
  method: string;
  /** Path below the API root, e.g. `/projects/42/issues`. */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
}

export interface ForgeServer {
  url: string;
  gitlabApiUrl: string;
  githubApiUrl: string;
  state: ForgeServerState;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const GITLAB_NOTE_MAX = 1_000_000;
export const GITHUB_BODY_MAX = 65_536;
