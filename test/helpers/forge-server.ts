/**
 * A real HTTP server on 127.0.0.1 that answers the subset of the GitLab v4 and GitHub REST
 * APIs the forge layer uses, with in-memory state, token checks, real pagination headers
 * and a log of every request. GitLab lives under `/api/v4`, GitHub under `/api/v3` (the
 * GitHub Enterprise layout), so the real clients talk to it unchanged.
 *
 * Where a behaviour matters to what we trust (who wrote a comment, who approved what commit,
 * who may approve, which merge request landed a commit), it follows the platform's API docs,
 * cited at each route. Each token acts as one user (`addToken`), so ownership is real.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forgeContextFromEnv } from '../../src/forge/context.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { Forge, ForgeOptions } from '../../src/forge/forge.js';
import {
  type GithubPermissions,
  githubRefusal,
  gitlabRefusal,
  roleGithubPermissions,
  templateGithubPermissions,
} from './forge-permissions.js';

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

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  project: FakeProject;
  /** Who the request's token acts as. */
  actor: FakeIdentity;
  /** `http://127.0.0.1:PORT/api/vN/<path>`, for pagination links. */
  selfUrl: URL;
}

type Handler = (call: Call) => Reply;
interface Route {
  method: string;
  pattern: string[];
  handle: Handler;
}

const GITLAB_NOTE_MAX = 1_000_000;
const GITHUB_BODY_MAX = 65_536;

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

function createState(): ForgeServerState & { nextId(): number; now(): string } {
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

function emptyProject(): FakeProject {
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

function nextNumber(p: FakeProject): number {
  return Math.max(0, ...p.issues.map((i) => i.number), ...p.mergeRequests.map((m) => m.number)) + 1;
}

/** One page of `items`, with each platform's pagination headers (GitLab: x-* and Link; GitHub: Link). */
function page(platform: FakePlatform, items: readonly unknown[], call: Call): Reply {
  const perPage = Math.min(100, Math.max(1, Number(call.query.get('per_page')) || (platform === 'gitlab' ? 20 : 30)));
  const current = Math.max(1, Number(call.query.get('page')) || 1);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number) => {
    const u = new URL(call.selfUrl);
    u.searchParams.set('page', String(n));
    u.searchParams.set('per_page', String(perPage));
    return u.toString();
  };
  const rels: string[] = [];
  if (current > 1) rels.push(`<${link(current - 1)}>; rel="prev"`);
  if (current < totalPages) rels.push(`<${link(current + 1)}>; rel="next"`);
  rels.push(`<${link(1)}>; rel="first"`, `<${link(totalPages)}>; rel="last"`);
  const headers: Record<string, string> =
    platform === 'gitlab'
      ? {
          'x-page': String(current),
          'x-per-page': String(perPage),
          'x-total': String(items.length),
          'x-total-pages': String(totalPages),
          'x-next-page': current < totalPages ? String(current + 1) : '',
          'x-prev-page': current > 1 ? String(current - 1) : '',
          link: rels.join(', '),
        }
      : totalPages > 1
        ? { link: rels.join(', ') }
        : {};
  return { status: 200, body: items.slice((current - 1) * perPage, current * perPage), headers };
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const gitlabError = (status: number, message: unknown): Reply => ({ status, body: { message } });
const githubError = (status: number, message: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { message, documentation_url: 'https://docs.github.com/rest', ...extra },
});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
// GitLab says `sort=asc`; GitHub says `direction=asc` (its `sort` names the field). Both default to newest first.
const ascending = (platform: FakePlatform, q: URLSearchParams) => q.get(platform === 'gitlab' ? 'sort' : 'direction') === 'asc';

function ordered<T extends { createdAt: string }>(items: readonly T[], asc: boolean): T[] {
  const sorted = [...items].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return asc ? sorted : sorted.reverse();
}

function withLabels(issues: readonly FakeIssue[], q: URLSearchParams): FakeIssue[] {
  const wanted = (q.get('labels') ?? '').split(',').filter(Boolean);
  return issues.filter((i) => wanted.every((l) => i.labels.includes(l)));
}

// GitLab docs: https://docs.gitlab.com/api/ (v4). Citations below name the page and section.
function gitlabRoutes(state: ReturnType<typeof createState>, base: string): Route[] {
  const mrOf = (c: Call) => c.project.mergeRequests.find((m) => m.number === Number(c.params.iid));
  const issueOf = (c: Call) => c.project.issues.find((i) => i.number === Number(c.params.iid));
  const basicUser = (username: string) => {
    const u = state.user('gitlab', username);
    return { id: u.id, username: u.username, name: u.username, state: 'active', avatar_url: null, web_url: `${base}/${u.username}` };
  };
  // Users are created when first named (seeding or a reply), so by the time a client asks by ID they exist.
  const findUser = (userId: number): FakeUser | undefined => state.userById('gitlab', userId);
  const note = (n: FakeComment, iid: number, type: string) => ({
    id: n.id,
    body: n.body,
    author: basicUser(n.author),
    system: n.system,
    created_at: n.createdAt,
    updated_at: n.updatedAt,
    noteable_type: type,
    noteable_iid: iid,
  });
  const issue = (c: Call, i: FakeIssue) => ({
    id: i.number + 5000,
    iid: i.number,
    project_id: c.params.id,
    title: i.title,
    description: i.body,
    state: i.state === 'open' ? 'opened' : 'closed',
    labels: i.labels,
    author: basicUser(i.author ?? 'someone'),
    web_url: `${base}/${c.params.id}/-/issues/${i.number}`,
    created_at: i.createdAt,
  });
  const mrState = { open: 'opened', merged: 'merged', closed: 'closed' } as const;
  // Single MR and the commit's MR list share this shape (merge_requests.md "Get single MR"):
  // `sha` is the source head, `merge_commit_sha` and `squash_commit_sha` what the merge created.
  const mergeRequest = (c: Call, m: FakeMergeRequest) => ({
    id: m.number + 9000,
    iid: m.number,
    project_id: c.params.id,
    title: m.title,
    state: mrState[m.state],
    source_branch: m.sourceBranch,
    target_branch: m.targetBranch,
    author: basicUser(m.author),
    sha: m.headSha,
    merge_commit_sha: m.mergeCommitSha ?? null,
    squash_commit_sha: m.squashCommitSha ?? null,
    merged_at: m.state === 'merged' ? m.createdAt : null,
    web_url: `${base}/${c.params.id}/-/merge_requests/${m.number}`,
  });
  const newNote = (c: Call, body: unknown): FakeComment | Reply => {
    const text = str(body);
    if (!text) return gitlabError(400, '400 Bad request - body is missing');
    if (text.length > GITLAB_NOTE_MAX) return gitlabError(400, { note: [`is too long (maximum is ${GITLAB_NOTE_MAX} characters)`] });
    const at = state.now();
    return { id: state.nextId(), body: text, author: c.actor.username, system: false, createdAt: at, updatedAt: at };
  };
  const labelsOf = (v: unknown) =>
    str(v)
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
  const currentUser = (c: Call) => {
    const u = state.user('gitlab', c.actor.username);
    return { ...basicUser(u.username), bot: u.bot };
  };
  // A token's user is a member at the token's level (a project access token's bot user is).
  const tokenLevel = (username: string) =>
    [...state.identities.gitlab.values()].find((i) => i.username === username)?.accessLevel ?? (username === 'gitops-bot' ? 40 : undefined);
  return [
    // users.md "Get the current user": the account behind the token; project/group access tokens have bot users.
    { method: 'GET', pattern: ['user'], handle: (c) => ok(currentUser(c)) },
    // personal_access_tokens.md "Get single personal access token" (`self`): the token's scopes; project and
    // group access tokens answer too.
    {
      method: 'GET',
      pattern: ['personal_access_tokens', 'self'],
      handle: (c) => ok({ id: 1, name: 'gitops', active: true, revoked: false, scopes: c.actor.scopes ?? ['api'] }),
    },
    // users.md "Get a single user": `bot` tells bot accounts apart.
    {
      method: 'GET',
      pattern: ['users', ':uid'],
      handle: (c) => {
        const u = findUser(Number(c.params.uid));
        return u
          ? ok({ ...basicUser(u.username), bot: u.bot, public_email: `${u.username}@users.example` })
          : gitlabError(404, '404 User Not Found');
      },
    },
    // projects.md "Get a single project".
    {
      method: 'GET',
      pattern: ['projects', ':id'],
      handle: (c) => ok({ id: Number(c.params.id) || 1, default_branch: c.project.defaultBranch, web_url: `${base}/${c.params.id}` }),
    },
    // members.md "Get a member of a group or project, including inherited and invited members": 404 for a non-member.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'members', 'all', ':uid'],
      handle: (c) => {
        const u = findUser(Number(c.params.uid));
        const level = u ? (c.project.members.get(u.username) ?? tokenLevel(u.username)) : undefined;
        return u && level !== undefined
          ? ok({ ...basicUser(u.username), access_level: level, expires_at: null })
          : gitlabError(404, '404 Not found');
      },
    },
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'notes'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        const sorted =
          c.query.get('order_by') === 'updated_at'
            ? [...mr.comments].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
            : ordered(mr.comments, true);
        return page(
          'gitlab',
          (ascending('gitlab', c.query) ? sorted : sorted.reverse()).map((n) => note(n, mr.number, 'MergeRequest')),
          c,
        );
      },
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'notes'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        const n = newNote(c, c.body.body);
        if ('status' in n) return n;
        mr.comments.push(n);
        return ok(note(n, mr.number, 'MergeRequest'), 201);
      },
    },
    // notes.md "Modify existing merge request note": only the note's author may edit it; anyone else gets 403.
    {
      method: 'PUT',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'notes', ':note'],
      handle: (c) => {
        const n = mrOf(c)?.comments.find((x) => x.id === Number(c.params.note));
        if (!n) return gitlabError(404, '404 Not found');
        if (n.author !== c.actor.username) return gitlabError(403, '403 Forbidden');
        const updated = newNote(c, c.body.body);
        if ('status' in updated) return updated;
        Object.assign(n, { body: updated.body, updatedAt: updated.updatedAt });
        return ok(note(n, Number(c.params.iid), 'MergeRequest'));
      },
    },
    // merge_requests.md "Get single MR".
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid'],
      handle: (c) => {
        const mr = mrOf(c);
        return mr ? ok(mergeRequest(c, mr)) : gitlabError(404, '404 Not found');
      },
    },
    // merge_requests.md "Get single merge request commits": authors and committers by name and email, never by user.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'commits'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        return page(
          'gitlab',
          mr.commits.map((k) => ({
            id: k.sha,
            short_id: k.sha.slice(0, 8),
            author_name: k.author,
            author_email: `${k.author}@users.example`,
            committer_name: k.committer,
            committer_email: `${k.committer}@users.example`,
          })),
          c,
        );
      },
    },
    // merge_request_approvals.md "Retrieve approval state for a merge request" (GET .../approvals). The Free
    // shape has `approved` and `approved_by` only (any approval approves); Premium adds approvals_required/left.
    // `approved_by` carries users, never a commit.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'approvals'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        const common = {
          id: mr.number + 9000,
          iid: mr.number,
          project_id: Number(c.params.id) || 1,
          title: mr.title,
          state: mrState[mr.state],
          merge_status: 'can_be_merged',
        };
        const approvedBy = mr.approvedBy.map((u) => ({ user: basicUser(u) }));
        if (c.project.tier === 'free')
          return ok({
            ...common,
            approved: mr.approvedBy.length > 0,
            user_has_approved: false,
            user_can_approve: false,
            approved_by: approvedBy,
          });
        const left = Math.max(0, mr.approvalsRequired - mr.approvedBy.length);
        return ok({
          ...common,
          approved: left === 0,
          approvals_required: mr.approvalsRequired,
          approvals_left: left,
          approved_by: approvedBy,
          has_approval_rules: mr.approvalsRequired > 0,
        });
      },
    },
    // merge_request_approvals.md "Retrieve approval state for a merge request" (approval_state), Premium: rules, still no commit.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'approval_state'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr || c.project.tier === 'free') return gitlabError(404, '404 Not found');
        const rule = {
          id: 1,
          name: 'All Members',
          rule_type: 'any_approver',
          eligible_approvers: [],
          approvals_required: mr.approvalsRequired,
          users: [],
          groups: [],
          contains_hidden_groups: false,
          overridden: false,
        };
        return ok({
          approval_rules_overwritten: false,
          rules: [{ ...rule, approved_by: mr.approvedBy.map(basicUser), approved: mr.approvedBy.length >= mr.approvalsRequired }],
        });
      },
    },
    // merge_request_approvals.md "Retrieve approval configuration for a project": Premium/Ultimate only, so a
    // Free project answers 404; `reset_approvals_on_push` removes approvals when commits are added.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'approvals'],
      handle: (c) => {
        if (c.project.tier === 'free') return gitlabError(404, '404 Not Found');
        return ok({
          approvals_before_merge: 0,
          reset_approvals_on_push: c.project.resetApprovalsOnPush,
          selective_code_owner_removals: false,
          disable_overriding_approvers_per_merge_request: false,
          merge_requests_author_approval: false,
          merge_requests_disable_committers_approval: false,
          require_password_to_approve: false,
        });
      },
    },
    // commits.md "List merge requests associated with a commit": every MR containing it, whatever its state or target.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'repository', 'commits', ':sha', 'merge_requests'],
      handle: (c) => {
        const numbers = c.project.commits.get(c.params.sha!) ?? [];
        return page(
          'gitlab',
          c.project.mergeRequests.filter((m) => numbers.includes(m.number)).map((m) => mergeRequest(c, m)),
          c,
        );
      },
    },
    // commits.md "Set the pipeline status of a commit": `state` is required, one of pending, running, success,
    // failed, canceled (else 400); `name` defaults to "default"; `pipeline_id` picks the pipeline. Answers 201.
    {
      method: 'POST',
      pattern: ['projects', ':id', 'statuses', ':sha'],
      handle: (c) => {
        const wanted = str(c.body.state);
        if (!['pending', 'running', 'success', 'failed', 'canceled'].includes(wanted)) return gitlabError(400, 'state is missing');
        const name = str(c.body.name) || str(c.body.context) || 'default';
        // The status state machine refuses an active status the same transition again: pending -> pending is
        // 400 "Cannot transition status via :enqueue from :pending" (gitlab-org/gitlab-foss#25807).
        const latest = c.project.statuses.filter((x) => x.sha === c.params.sha && x.name === name).at(-1);
        if (latest && ['pending', 'running'].includes(latest.state) && latest.state === wanted) {
          const event = wanted === 'pending' ? 'enqueue' : 'run';
          return gitlabError(
            400,
            `Cannot transition status via :${event} from :${wanted} (Reason(s): Status cannot transition via "${event}")`,
          );
        }
        const posted: FakeStatus = {
          sha: c.params.sha!,
          name,
          state: wanted,
          description: typeof c.body.description === 'string' ? c.body.description : undefined,
          targetUrl: typeof c.body.target_url === 'string' ? c.body.target_url : undefined,
          pipelineId: c.body.pipeline_id === undefined ? undefined : Number(c.body.pipeline_id),
          author: c.actor.username,
          createdAt: state.now(),
        };
        c.project.statuses.push(posted);
        return ok(
          {
            id: state.nextId(),
            sha: posted.sha,
            status: posted.state,
            name: posted.name,
            description: posted.description ?? null,
            target_url: posted.targetUrl ?? null,
            author: basicUser(posted.author),
            created_at: posted.createdAt,
          },
          201,
        );
      },
    },
    // issues.md "List project issues": `author_id` filters by author.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'issues'],
      handle: (c) => {
        const wanted = c.query.get('state') ?? 'all';
        const authorId = c.query.get('author_id');
        const issues = withLabels(c.project.issues, c.query)
          .filter((i) => wanted === 'all' || (wanted === 'opened') === (i.state === 'open'))
          .filter((i) => authorId === null || String(state.user('gitlab', i.author ?? 'someone').id) === authorId);
        return page(
          'gitlab',
          ordered(issues, ascending('gitlab', c.query)).map((i) => issue(c, i)),
          c,
        );
      },
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'issues'],
      handle: (c) => {
        if (!str(c.body.title)) return gitlabError(400, { title: ["can't be blank"] });
        const created: FakeIssue = {
          number: nextNumber(c.project),
          title: str(c.body.title),
          body: str(c.body.description),
          author: c.actor.username,
          labels: labelsOf(c.body.labels),
          state: 'open',
          comments: [],
          createdAt: state.now(),
        };
        c.project.issues.push(created);
        return ok(issue(c, created), 201);
      },
    },
    {
      method: 'PUT',
      pattern: ['projects', ':id', 'issues', ':iid'],
      handle: (c) => {
        const i = issueOf(c);
        if (!i) return gitlabError(404, '404 Not found');
        if (typeof c.body.title === 'string') i.title = c.body.title;
        if (typeof c.body.description === 'string') i.body = c.body.description;
        if (c.body.labels !== undefined) i.labels = labelsOf(c.body.labels);
        i.labels = [...new Set([...i.labels, ...labelsOf(c.body.add_labels)])].filter((l) => !labelsOf(c.body.remove_labels).includes(l));
        if (c.body.state_event === 'close') i.state = 'closed';
        if (c.body.state_event === 'reopen') i.state = 'open';
        return ok(issue(c, i));
      },
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'issues', ':iid', 'notes'],
      handle: (c) => {
        const i = issueOf(c);
        if (!i) return gitlabError(404, '404 Not found');
        const n = newNote(c, c.body.body);
        if ('status' in n) return n;
        i.comments.push(n);
        return ok(note(n, i.number, 'Issue'), 201);
      },
    },
  ];
}

// GitHub docs: https://docs.github.com/en/rest. Citations below name the page and section.
function githubRoutes(state: ReturnType<typeof createState>, base: string): Route[] {
  const repoOf = (c: Call) => `${c.params.owner}/${c.params.repo}`;
  const prOf = (c: Call, n = c.params.number) => c.project.mergeRequests.find((m) => m.number === Number(n));
  const issueOf = (c: Call) => c.project.issues.find((i) => i.number === Number(c.params.number));
  // Simple user object: `type` is "Bot" for apps' bot accounts, "User" for people.
  const user = (login: string) => {
    const u = state.user('github', login);
    return { login: u.username, id: u.id, type: u.bot ? 'Bot' : 'User' };
  };
  // author_association (CommentAuthorAssociation): OWNER for the repository owner, COLLABORATOR for
  // collaborators, else NONE here. It is informative only: write access comes from the permission endpoint.
  const association = (c: Call, login: string) =>
    login === c.params.owner ? 'OWNER' : c.project.collaborators.has(login) ? 'COLLABORATOR' : 'NONE';
  const comment = (c: Call, x: FakeComment, n: number, kind: 'issues' | 'pull') => ({
    id: x.id,
    body: x.body,
    user: user(x.author),
    author_association: association(c, x.author),
    html_url: `${base}/${repoOf(c)}/${kind}/${n}#issuecomment-${x.id}`,
    created_at: x.createdAt,
    updated_at: x.updatedAt,
  });
  const issue = (c: Call, i: FakeIssue) => ({
    id: i.number + 5000,
    number: i.number,
    title: i.title,
    body: i.body,
    user: user(i.author ?? 'someone'),
    state: i.state,
    state_reason: i.stateReason ?? null,
    labels: i.labels.map((name) => ({ name })),
    html_url: `${base}/${repoOf(c)}/issues/${i.number}`,
    created_at: i.createdAt,
  });
  const prAsIssue = (c: Call, m: FakeMergeRequest) => ({
    id: m.number + 9000,
    number: m.number,
    title: m.title,
    body: m.body,
    user: user(m.author),
    state: m.state === 'open' ? 'open' : 'closed',
    labels: [],
    html_url: `${base}/${repoOf(c)}/pull/${m.number}`,
    created_at: m.createdAt,
    pull_request: { url: `${base}/api/v3/repos/${repoOf(c)}/pulls/${m.number}` },
  });
  // pulls.md "Get a pull request": `merge_commit_sha` is the merge, squash or last rebased commit once merged.
  const pull = (c: Call, m: FakeMergeRequest) => ({
    id: m.number + 9000,
    number: m.number,
    title: m.title,
    user: user(m.author),
    state: m.state === 'open' ? 'open' : 'closed',
    merged_at: m.state === 'merged' ? m.createdAt : null,
    merge_commit_sha: m.mergeCommitSha ?? null,
    html_url: `${base}/${repoOf(c)}/pull/${m.number}`,
    head: { ref: m.sourceBranch, sha: m.headSha },
    base: { ref: m.targetBranch, repo: { full_name: repoOf(c), default_branch: c.project.defaultBranch } },
    author_association: association(c, m.author),
  });
  const tooLong = () =>
    githubError(422, 'Validation Failed', {
      errors: [
        { resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${GITHUB_BODY_MAX} characters)` },
      ],
    });
  const newComment = (c: Call, body: unknown): FakeComment | Reply => {
    const text = str(body);
    if (!text) return githubError(422, 'Validation Failed');
    if (text.length > GITHUB_BODY_MAX) return tooLong();
    const at = state.now();
    return { id: state.nextId(), body: text, author: c.actor.username, system: false, createdAt: at, updatedAt: at };
  };
  const allComments = (c: Call) => [
    ...c.project.mergeRequests.flatMap((m) => m.comments.map((x) => ({ x, n: m.number, kind: 'pull' as const }))),
    ...c.project.issues.flatMap((i) => i.comments.map((x) => ({ x, n: i.number, kind: 'issues' as const }))),
  ];
  const labelsOf = (v: unknown) =>
    Array.isArray(v) ? v.map((l) => (typeof l === 'string' ? l : str((l as { name?: unknown }).name))) : [];
  const permissionOf: Record<GithubRole, string> = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read' };
  // repos.md "Get a repository": `permissions` of the token's user, each role including the ones below it.
  const roles: GithubRole[] = ['read', 'triage', 'write', 'maintain', 'admin'];
  const rolePermissions = (role: GithubRole) => {
    const at = roles.indexOf(role);
    return { pull: at >= 0, triage: at >= 1, push: at >= 2, maintain: at >= 3, admin: at >= 4 };
  };
  return [
    // users.md "Get the authenticated user". An installation token (GITHUB_TOKEN) is refused with 403
    // "Resource not accessible by integration": it is not a user.
    {
      method: 'GET',
      pattern: ['user'],
      handle: (c) => (c.actor.installation ? githubError(403, 'Resource not accessible by integration') : ok(user(c.actor.username))),
    },
    // repos.md "Get a repository".
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo'],
      handle: (c) =>
        ok({
          full_name: repoOf(c),
          default_branch: c.project.defaultBranch,
          private: true,
          // Only a user's token sees its own role; an installation token's answer has none.
          ...(c.actor.installation
            ? {}
            : { permissions: rolePermissions(c.project.collaborators.get(c.actor.username) ?? c.actor.role ?? 'write') }),
        }),
    },
    // commits.md "List commits", pulls.md "List pull requests", statuses.md "List commit statuses for a reference":
    // the one-item reads of the access check.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'commits'],
      handle: (c) =>
        page(
          'github',
          [...c.project.commits.keys()].map((sha) => ({ sha, commit: { message: '' } })),
          c,
        ),
    },
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'pulls'],
      handle: (c) =>
        page(
          'github',
          c.project.mergeRequests.filter((m) => m.state === 'open').map((m) => pull(c, m)),
          c,
        ),
    },
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'commits', ':sha', 'statuses'],
      handle: (c) =>
        page(
          'github',
          c.project.statuses
            .filter((x) => x.sha === c.params.sha)
            .reverse()
            .map((x) => ({ state: x.state, context: x.name, description: x.description ?? null, created_at: x.createdAt })),
          c,
        ),
    },
    // collaborators.md "Get repository permissions for a user": permission admin/write/read/none (maintain
    // reads as write, triage as read); role_name keeps the role. A non-collaborator of a private repository: none.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'collaborators', ':login', 'permission'],
      handle: (c) => {
        const role = c.project.collaborators.get(c.params.login!);
        return ok({ permission: role ? permissionOf[role] : 'none', role_name: role ?? 'none', user: user(c.params.login!) });
      },
    },
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'issues', ':number', 'comments'],
      handle: (c) => {
        const pr = prOf(c);
        const target = pr ?? issueOf(c);
        if (!target) return githubError(404, 'Not Found');
        return page(
          'github',
          ordered(target.comments, true).map((x) => comment(c, x, target.number, pr ? 'pull' : 'issues')),
          c,
        );
      },
    },
    {
      method: 'POST',
      pattern: ['repos', ':owner', ':repo', 'issues', ':number', 'comments'],
      handle: (c) => {
        const pr = prOf(c);
        const target = pr ?? issueOf(c);
        if (!target) return githubError(404, 'Not Found');
        const x = newComment(c, c.body.body);
        if ('status' in x) return x;
        target.comments.push(x);
        return ok(comment(c, x, target.number, pr ? 'pull' : 'issues'), 201);
      },
    },
    // issues/comments.md "Update an issue comment": people with write access may edit anyone's comment, so a
    // comment we wrote into is one its author can edit back: we must never write into another's.
    {
      method: 'PATCH',
      pattern: ['repos', ':owner', ':repo', 'issues', 'comments', ':id'],
      handle: (c) => {
        const found = allComments(c).find((e) => e.x.id === Number(c.params.id));
        if (!found) return githubError(404, 'Not Found');
        const updated = newComment(c, c.body.body);
        if ('status' in updated) return updated;
        Object.assign(found.x, { body: updated.body, updatedAt: updated.updatedAt });
        return ok(comment(c, found.x, found.n, found.kind));
      },
    },
    // pulls.md "Get a pull request".
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'pulls', ':number'],
      handle: (c) => {
        const pr = prOf(c);
        return pr ? ok(pull(c, pr)) : githubError(404, 'Not Found');
      },
    },
    // pulls/reviews.md "List reviews for a pull request": each review names the commit it was submitted on
    // (`commit_id`), its author's `author_association` and `user.type`; oldest first.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'pulls', ':number', 'reviews'],
      handle: (c) => {
        const pr = prOf(c);
        if (!pr) return githubError(404, 'Not Found');
        return page(
          'github',
          pr.reviews.map((r) => ({
            id: r.id,
            user: user(r.user),
            body: '',
            state: r.state,
            commit_id: r.commitId,
            author_association: association(c, r.user),
            submitted_at: r.submittedAt,
          })),
          c,
        );
      },
    },
    // pulls.md "List commits on a pull request": `author` and `committer` are GitHub users (null when the email matches none).
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'pulls', ':number', 'commits'],
      handle: (c) => {
        const pr = prOf(c);
        if (!pr) return githubError(404, 'Not Found');
        return page(
          'github',
          pr.commits.map((k) => ({ sha: k.sha, author: user(k.author), committer: user(k.committer), commit: { message: '' } })),
          c,
        );
      },
    },
    // commits.md "List pull requests associated with a commit": may list open, closed and other-branch PRs too.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'commits', ':sha', 'pulls'],
      handle: (c) => {
        const numbers = c.project.commits.get(c.params.sha!) ?? [];
        return page(
          'github',
          c.project.mergeRequests.filter((m) => numbers.includes(m.number)).map((m) => pull(c, m)),
          c,
        );
      },
    },
    // statuses.md "Create a commit status": `state` is required, one of error, failure, pending, success (else
    // 422); `context` defaults to "default"; the latest status per context is the one shown. Answers 201.
    {
      method: 'POST',
      pattern: ['repos', ':owner', ':repo', 'statuses', ':sha'],
      handle: (c) => {
        const wanted = str(c.body.state);
        if (!['error', 'failure', 'pending', 'success'].includes(wanted)) return githubError(422, 'Validation Failed');
        const posted: FakeStatus = {
          sha: c.params.sha!,
          name: str(c.body.context) || 'default',
          state: wanted,
          description: typeof c.body.description === 'string' ? c.body.description : undefined,
          targetUrl: typeof c.body.target_url === 'string' ? c.body.target_url : undefined,
          author: c.actor.username,
          createdAt: state.now(),
        };
        c.project.statuses.push(posted);
        return ok(
          {
            id: state.nextId(),
            state: posted.state,
            context: posted.name,
            description: posted.description ?? null,
            target_url: posted.targetUrl ?? null,
            creator: user(posted.author),
            created_at: posted.createdAt,
          },
          201,
        );
      },
    },
    // issues.md "List repository issues": pull requests are listed too; `creator` filters by login.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'issues'],
      handle: (c) => {
        const wanted = c.query.get('state') ?? 'open';
        const creator = c.query.get('creator');
        const byCreator = (login: string) => creator === null || creator.toLowerCase() === login.toLowerCase();
        const issues = withLabels(c.project.issues, c.query)
          .filter((i) => (wanted === 'all' || wanted === i.state) && byCreator(i.author ?? 'someone'))
          .map((i) => ({ at: i.createdAt, json: issue(c, i) }));
        const prs = c.query.get('labels')
          ? []
          : c.project.mergeRequests
              .filter((m) => (wanted === 'all' || (wanted === 'open') === (m.state === 'open')) && byCreator(m.author))
              .map((m) => ({ at: m.createdAt, json: prAsIssue(c, m) }));
        const all = [...issues, ...prs].sort((a, b) => a.at.localeCompare(b.at)).map((e) => e.json);
        return page('github', ascending('github', c.query) ? all : all.reverse(), c);
      },
    },
    {
      method: 'POST',
      pattern: ['repos', ':owner', ':repo', 'issues'],
      handle: (c) => {
        if (!str(c.body.title)) return githubError(422, 'Validation Failed');
        if (str(c.body.body).length > GITHUB_BODY_MAX) return tooLong();
        const created: FakeIssue = {
          number: nextNumber(c.project),
          title: str(c.body.title),
          body: str(c.body.body),
          author: c.actor.username,
          labels: labelsOf(c.body.labels),
          state: 'open',
          comments: [],
          createdAt: state.now(),
        };
        c.project.issues.push(created);
        return ok(issue(c, created), 201);
      },
    },
    {
      method: 'PATCH',
      pattern: ['repos', ':owner', ':repo', 'issues', ':number'],
      handle: (c) => {
        const i = issueOf(c);
        if (!i) return githubError(404, 'Not Found');
        if (typeof c.body.body === 'string' && c.body.body.length > GITHUB_BODY_MAX) return tooLong();
        if (typeof c.body.title === 'string') i.title = c.body.title;
        if (typeof c.body.body === 'string') i.body = c.body.body;
        if (c.body.labels !== undefined) i.labels = labelsOf(c.body.labels);
        if (c.body.state === 'closed' || c.body.state === 'open') i.state = c.body.state;
        if (typeof c.body.state_reason === 'string') i.stateReason = c.body.state_reason;
        return ok(issue(c, i));
      },
    },
    addLabelsRoute((c) => issueOf(c)?.labels),
  ];
}

// labels.md "Add labels to an issue": adds to the issue's labels, keeping the ones it has; answers them all.
function addLabelsRoute(issueLabels: (c: Call) => string[] | undefined): Route {
  return {
    method: 'POST',
    pattern: ['repos', ':owner', ':repo', 'issues', ':number', 'labels'],
    handle: (c) => {
      const labels = issueLabels(c);
      if (!labels) return githubError(404, 'Not Found');
      const wanted = Array.isArray(c.body.labels) ? c.body.labels.map(String) : [];
      for (const l of wanted) if (!labels.includes(l)) labels.push(l);
      return ok(labels.map((name, i) => ({ id: i + 1, name })));
    },
  };
}

function faultReply(fault: FaultRule): Reply {
  return { status: fault.status, body: fault.body ?? { message: `${fault.status} injected fault` }, headers: fault.headers };
}

function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    if (part.startsWith(':')) params[part.slice(1)] = segments[i]!;
    else if (part !== segments[i]) return undefined;
  }
  return params;
}

/** Who the request's token acts as; undefined for a missing or unknown token. */
function identityOf(
  platform: FakePlatform,
  headers: http.IncomingHttpHeaders,
  identities: Map<string, FakeIdentity>,
): FakeIdentity | undefined {
  const auth = headers.authorization ?? '';
  const bearer = /^(?:Bearer|token) (.+)$/.exec(auth)?.[1];
  const token =
    platform === 'gitlab'
      ? ((headers['private-token'] as string | undefined) ?? (auth.startsWith('Bearer ') ? bearer : undefined))
      : bearer;
  return token === undefined ? undefined : identities.get(token);
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  if (!text) return {};
  if ((req.headers['content-type'] ?? '').includes('json')) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}

/** Starts the server on 127.0.0.1 on a free port. Tokens are in `state.tokens`. */
export async function startForgeServer(): Promise<ForgeServer> {
  const state = createState();
  const requests: RecordedRequest[] = [];
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const routes: Record<FakePlatform, Route[]> = { gitlab: gitlabRoutes(state, url), github: githubRoutes(state, url) };

  server.on('request', (req, res) => {
    void (async () => {
      const selfUrl = new URL(req.url ?? '/', url);
      const platform: FakePlatform | 'unknown' = selfUrl.pathname.startsWith('/api/v4/')
        ? 'gitlab'
        : selfUrl.pathname.startsWith('/api/v3/')
          ? 'github'
          : 'unknown';
      const path = platform === 'unknown' ? selfUrl.pathname : selfUrl.pathname.slice('/api/v4'.length);
      const record: RecordedRequest = {
        platform,
        method: req.method ?? 'GET',
        path,
        query: Object.fromEntries(selfUrl.searchParams),
        headers: req.headers,
        body: undefined,
        status: 0,
      };
      requests.push(record);
      let reply: Reply;
      try {
        const body = await readBody(req);
        record.body = body;
        const fault = takeFault(platform, record.method, path);
        if (fault && fault.when !== 'after') reply = faultReply(fault);
        else if (platform === 'unknown') reply = { status: 404, body: { message: 'Not Found' } };
        else {
          const actor = identityOf(platform, req.headers, state.identities[platform]);
          if (!actor) reply = platform === 'gitlab' ? gitlabError(401, '401 Unauthorized') : githubError(401, 'Bad credentials');
          else reply = route(platform, record.method, path, { query: selfUrl.searchParams, body, selfUrl, actor });
          if (fault) reply = faultReply(fault);
        }
      } catch (err) {
        reply = { status: 500, body: { message: err instanceof Error ? err.message : String(err) } };
      }
      record.status = reply.status;
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    })();
  });

  /** The first unspent fault matching the request, counted down. */
  function takeFault(platform: FakePlatform | 'unknown', method: string, path: string): FaultRule | undefined {
    const rule = state.faults.find(
      (f) =>
        f.times > 0 &&
        (f.platform === undefined || f.platform === platform) &&
        f.method === method &&
        (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path)),
    );
    if (rule) rule.times--;
    return rule;
  }

  /** The 403 a token without the route's role or permission gets (see forge-permissions.ts). */
  function refusal(platform: FakePlatform, r: Route, project: FakeProject, actor: FakeIdentity): Reply | undefined {
    if (platform === 'gitlab') {
      const level = project.members.get(actor.username) ?? actor.accessLevel ?? 40;
      const why = gitlabRefusal(r.method, r.pattern, level, actor.scopes ?? ['api']);
      return why ? gitlabError(403, why) : undefined;
    }
    const held = actor.installation
      ? (actor.permissions ?? templateGithubPermissions)
      : roleGithubPermissions(project.collaborators.get(actor.username) ?? actor.role ?? 'write');
    const needed = githubRefusal(r.method, r.pattern, held);
    if (!needed) return undefined;
    return {
      ...githubError(
        403,
        actor.installation ? 'Resource not accessible by integration' : 'Resource not accessible by personal access token',
      ),
      headers: { 'x-accepted-github-permissions': needed },
    };
  }

  function route(platform: FakePlatform, method: string, path: string, call: Omit<Call, 'params' | 'project'>): Reply {
    const segments = path
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    for (const r of routes[platform]) {
      const params = r.method === method ? match(r.pattern, segments) : undefined;
      if (!params) continue;
      const key = platform === 'gitlab' ? params.id : params.owner && `${params.owner}/${params.repo}`;
      // Routes outside a project (/user, /users/:id) get a throwaway one.
      const project = key ? state.project(platform, key) : emptyProject();
      const refused = refusal(platform, r, project, call.actor);
      if (refused) return refused;
      return r.handle({ ...call, params, project });
    }
    return platform === 'gitlab' ? gitlabError(404, '404 Not Found') : githubError(404, 'Not Found');
  }

  return {
    url,
    gitlabApiUrl: `${url}/api/v4`,
    githubApiUrl: `${url}/api/v3`,
    state,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** The example project of each platform the tests use. */
export const testProjects = { gitlab: '42', github: 'acme/infra' } as const;

/**
 * The predefined CI variables a pipeline of `platform` would have, pointing at this server
 * with a valid token; `extra` adds or overrides (undefined removes).
 */
export function ciEnv(
  server: ForgeServer,
  platform: FakePlatform,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const base: Record<string, string | undefined> =
    platform === 'gitlab'
      ? {
          GITLAB_CI: 'true',
          CI_API_V4_URL: server.gitlabApiUrl,
          CI_PROJECT_ID: testProjects.gitlab,
          GITOPS_GITLAB_TOKEN: server.state.tokens.gitlab,
          CI_PIPELINE_URL: `${server.url}/42/-/pipelines/1`,
          CI_PIPELINE_ID: '1',
          CI_JOB_URL: `${server.url}/42/-/jobs/11`,
          CI_COMMIT_SHA: 'a'.repeat(40),
          CI_DEFAULT_BRANCH: 'main',
          CI_PROJECT_URL: `${server.url}/group/infra`,
        }
      : {
          GITHUB_ACTIONS: 'true',
          GITHUB_API_URL: server.githubApiUrl,
          GITHUB_REPOSITORY: testProjects.github,
          GITHUB_TOKEN: server.state.tokens.github,
          GITHUB_SERVER_URL: server.url,
          GITHUB_RUN_ID: '99',
          GITHUB_RUN_ATTEMPT: '1',
          GITHUB_SHA: 'b'.repeat(40),
        };
  return { ...base, ...extra };
}

/**
 * Client options for in-process tests: the same retry decisions with waits in tens of
 * milliseconds, and no spacing between GitHub writes. The CLI in e2e tests runs with the defaults.
 */
export const testForgeOptions: ForgeOptions = {
  retryPolicy: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 5_000, maxTotalMs: 10_000 },
  writeSpacingMs: 0,
};

/** A new local server and a real GitLab client talking to it, as a pipeline's CI variables would set it up. */
export async function startGitlabForge(): Promise<{ server: ForgeServer; forge: Forge }> {
  const server = await startForgeServer();
  return { server, forge: createForge(forgeContextFromEnv(ciEnv(server, 'gitlab')), testForgeOptions) };
}
