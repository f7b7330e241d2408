import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { GithubPermission } from './access.js';
import { assertAccess } from './access.js';
import { type ApiCall, apiCall, unless } from './api-call.js';
import { commitOf, type ForgeContext, mergeRequestOf } from './context.js';
import { createOnce } from './create-once.js';
import type { ForgeOptions } from './forge.js';
import {
  type Approvals,
  type CiRun,
  type CommentResult,
  type CommitStatus,
  type Forge,
  type ForgeJob,
  type ForgeUser,
  GITHUB_MAX_BODY_CHARS,
  type IssueContent,
  type IssueRef,
  type IssueResult,
  type LandedCommit,
  type MergeRequestRef,
} from './forge.js';
import { githubAccess } from './github-access.js';
import { githubApprovals } from './github-approvals.js';
import { GITHUB_ACTIONS_BOT, once, sameUser } from './identity.js';
import { landedBy, landedEach } from './landed-merge-request.js';
import { assertFits, findMarked, planUpsert, sameBody, withMarker } from './markers.js';
import { forgeRetryPolicy } from './retry-policy.js';
import { RunCache } from './run-cache.js';
import { statusDescription } from './status-description.js';

// Octokit logs every failed request to console.error; ours surface as thrown FORGE_ERRORs.
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/*
 * Retries: @octokit/plugin-throttling waits out GitHub's rate limits (403/429 with
 * x-ratelimit-remaining 0 until x-ratelimit-reset, or a secondary limit's Retry-After) for any
 * method, since a rate-limited request was not processed; @octokit/plugin-retry retries other
 * failures (5xx, network) with growing waits. POSTs that create something opt out of the
 * latter (`noBlindRetry`): a 502 may follow a comment GitHub did create; createOnce looks for
 * it instead. Both are bounded by the retry policy.
 */
const RetryingOctokit = Octokit.plugin(retry, throttling);
const noBlindRetry = { request: { retries: 0 } };
// 429 and 403 belong to the throttling plugin; the rest are answers a retry cannot change.
const doNotRetry = [400, 401, 403, 404, 410, 422, 429, 451];

// statuses.md "Create a commit status": error, failure, pending, success.
const githubState: Record<CommitStatus['state'], 'success' | 'failure' | 'pending'> = {
  success: 'success',
  failed: 'failure',
  pending: 'pending',
};

interface GithubIssue {
  number: number;
  user?: { login: string } | null;
  title: string;
  body?: string | null;
  html_url: string;
  labels: (string | { name?: string })[];
  pull_request?: unknown;
}

interface GithubPull {
  number: number;
  title: string;
  state: string;
  html_url: string;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  user?: { login: string } | null;
  head: { ref: string; sha: string };
  base: { ref: string; repo?: { default_branch?: string } | null };
}

const pullRef = (pr: GithubPull): MergeRequestRef => ({
  number: pr.number,
  url: pr.html_url,
  title: pr.title,
  state: pr.merged_at ? 'merged' : pr.state === 'open' ? 'open' : 'closed',
  sourceBranch: pr.head.ref,
  targetBranch: pr.base.ref,
  author: pr.user?.login,
  headSha: pr.head.sha,
  mergeCommitSha: pr.merge_commit_sha ?? undefined,
});

const labelNames = (issue: GithubIssue): string[] => issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));

/** {@link Forge} over the GitHub REST API, through @octokit/rest. Pull requests are issues there. */
export class GithubForge implements Forge {
  readonly platform = 'github';
  readonly maxBodyChars = GITHUB_MAX_BODY_CHARS;
  readonly run: CiRun;
  readonly #ctx: ForgeContext;
  readonly #repo: { owner: string; repo: string };
  readonly #octokit: Octokit;
  readonly #self: () => Promise<ForgeUser>;
  readonly #permissions = new Map<string, Promise<string>>();
  readonly #issues = new RunCache(() => this.#openIssues());

  constructor(ctx: ForgeContext, options: ForgeOptions = {}) {
    this.#ctx = ctx;
    this.run = { id: ctx.pipelineId, url: ctx.pipelineUrl, jobUrl: ctx.jobUrl };
    const [owner = '', repo = ''] = ctx.project.split('/');
    this.#repo = { owner, repo };
    const timeoutMs = options.timeoutMs ?? 60_000;
    const policy = options.retryPolicy ?? forgeRetryPolicy;
    // Wait out a rate limit only as long as the policy allows a single wait, and only so often.
    const waitOut = (retryAfterSeconds: number, _options: unknown, _octokit: unknown, retryCount: number): boolean =>
      retryCount < policy.maxAttempts - 1 && retryAfterSeconds * 1000 <= policy.maxDelayMs;
    this.#octokit = new RetryingOctokit({
      auth: ctx.token.reveal(),
      baseUrl: ctx.apiUrl,
      userAgent: 'pulumi-gitops',
      log: silent,
      request: {
        fetch: (url: string, init?: RequestInit) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
      },
      // plugin-retry waits (n+1)² × retryAfterBaseValue before retry n+1: 0.5 s, 2 s, 4.5 s by default.
      retry: { retries: policy.maxAttempts - 1, doNotRetry, retryAfterBaseValue: policy.baseDelayMs },
      throttle: {
        onRateLimit: waitOut,
        onSecondaryRateLimit: waitOut,
        // GitHub asks for a second between writes, the plugin's groups wait 1 s (3 s for writes that notify people).
        ...(options.writeSpacingMs !== undefined
          ? {
              write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs }),
              notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs }),
            }
          : {}),
      },
    });
    this.#self = once(() => this.#whoAmI());
  }

  /**
   * `GET /user`. A GitHub App installation token (the Actions GITHUB_TOKEN among them) gets 403
   * there: it then writes as its app's bot, `github-actions[bot]` unless GITOPS_GITHUB_BOT names another.
   */
  async #whoAmI(): Promise<ForgeUser> {
    const call = { platform: 'github', method: 'GET', path: '/user' } as const;
    const user = await apiCall(call, this.#ctx.token, this.#ctx.tokenVariable, () =>
      unless([403], undefined, () => this.#octokit.rest.users.getAuthenticated()),
    );
    return { username: user?.data.login ?? this.#ctx.githubBot ?? GITHUB_ACTIONS_BOT };
  }

  currentUser(): Promise<ForgeUser> {
    return this.#self();
  }

  async checkAccess(job: ForgeJob): Promise<string[]> {
    const { rest } = this.#octokit;
    const one = { ...this.#repo, per_page: 1 };
    const sha = this.#ctx.commit ?? (await this.#defaultBranch());
    // One-item reads, each needing only the read permission of its kind (permissions-required-for-github-apps).
    const reads: Record<GithubPermission, [string, () => Promise<unknown>]> = {
      contents: ['/commits', () => rest.repos.listCommits(one)],
      issues: ['/issues', () => rest.issues.listForRepo(one)],
      'pull-requests': ['/pulls', () => rest.pulls.list(one)],
      statuses: [`/commits/${sha}/statuses`, () => rest.repos.listCommitStatusesForRef({ ...one, ref: sha })],
    };
    const check = await githubAccess(job, {
      // A user's token sees its role here; an installation token's answer has no `permissions`.
      repoPermissions: async () => (await this.#call('GET', '', () => rest.repos.get(this.#repo))).data.permissions,
      canRead: async (permission) => {
        const [path, read] = reads[permission];
        return (await this.#call('GET', path, () => unless([403], false, () => read().then(() => true)))) === true;
      },
    });
    return assertAccess('github', job, this.#ctx.tokenVariable, check);
  }

  /** `permission` of `login` on the repository: admin, write, read or none (404: not a collaborator). Asked once per login. */
  #permission(login: string): Promise<string> {
    let p = this.#permissions.get(login);
    if (!p) {
      const path = `/collaborators/${encodeURIComponent(login)}/permission`;
      const ask = () =>
        this.#octokit.rest.repos.getCollaboratorPermissionLevel({ ...this.#repo, username: login }).then((r) => r.data.permission);
      p = this.#call('GET', path, () => unless([404], 'none', ask));
      this.#permissions.set(login, p);
    }
    return p;
  }

  async #defaultBranch(): Promise<string> {
    if (this.#ctx.defaultBranch) return this.#ctx.defaultBranch;
    const { data } = await this.#call('GET', '', () => this.#octokit.rest.repos.get(this.#repo));
    return data.default_branch;
  }

  #call<T>(method: ApiCall['method'], path: string, run: () => Promise<T>): Promise<T> {
    return apiCall(
      { platform: 'github', method, path: `/repos/${this.#ctx.project}${path}` },
      this.#ctx.token,
      this.#ctx.tokenVariable,
      run,
    );
  }

  async upsertMergeRequestComment(key: string, body: string, mr?: number): Promise<CommentResult> {
    const issue_number = mergeRequestOf(this.#ctx, mr);
    const posted = withMarker(key, body);
    assertFits('github', key, posted);
    const path = `/issues/${issue_number}/comments`;
    const { issues } = this.#octokit.rest;
    const plan = planUpsert(
      await this.#ourComments(issue_number),
      key,
      (c) => c.body,
      (c) => sameBody(c.body, posted),
    );
    if (plan.action === 'create') {
      // After an ambiguous failure the comment may exist: look for ours before posting again.
      const data = await this.#call('POST', path, () =>
        createOnce(
          async () => (await issues.createComment({ ...this.#repo, issue_number, body: posted, ...noBlindRetry })).data,
          async () => findMarked(await this.#ourComments(issue_number), key, (c) => c.body),
        ),
      );
      return { id: data.id, url: data.html_url, action: 'created' };
    }
    const { id, html_url } = plan.item;
    if (plan.action === 'update')
      await this.#call('PATCH', `/issues/comments/${id}`, () => issues.updateComment({ ...this.#repo, comment_id: id, body: posted }));
    return { id, url: html_url, action: plan.action === 'update' ? 'updated' : 'unchanged' };
  }

  /** The comments our own user wrote: anyone can post one that starts with our marker. */
  async #ourComments(issue_number: number) {
    const all = await this.#call('GET', `/issues/${issue_number}/comments`, () =>
      this.#octokit.paginate(this.#octokit.rest.issues.listComments, { ...this.#repo, issue_number, per_page: 100 }),
    );
    const self = await this.#self();
    return all.filter((c) => sameUser(c.user ? { username: c.user.login } : undefined, self));
  }

  /** statuses.md "Create a commit status": the latest status per context is the one shown. */
  async setCommitStatus(sha: string, status: CommitStatus): Promise<void> {
    await this.#call('POST', `/statuses/${sha}`, () =>
      this.#octokit.rest.repos.createCommitStatus({
        ...this.#repo,
        sha,
        state: githubState[status.state],
        context: status.name,
        description: statusDescription(status.description),
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
      }),
    );
  }

  /** See {@link githubApprovals}: APPROVED on the final head commit, by someone with write access who is not the author, us, or a bot. */
  async mergeRequestApprovals(mr?: number): Promise<Approvals> {
    const pull_number = mergeRequestOf(this.#ctx, mr);
    const { pulls } = this.#octokit.rest;
    return githubApprovals({
      pull: async () => {
        const { data } = await this.#call('GET', `/pulls/${pull_number}`, () => pulls.get({ ...this.#repo, pull_number }));
        return { author: data.user?.login, headSha: data.head.sha };
      },
      reviews: () =>
        this.#call('GET', `/pulls/${pull_number}/reviews`, () =>
          this.#octokit.paginate(pulls.listReviews, { ...this.#repo, pull_number, per_page: 100 }),
        ),
      committers: async () => {
        const commits = await this.#call('GET', `/pulls/${pull_number}/commits`, () =>
          this.#octokit.paginate(pulls.listCommits, { ...this.#repo, pull_number, per_page: 100 }),
        );
        const logins = commits.flatMap((c) => [c.author?.login, c.committer?.login]);
        return [...new Set(logins.filter((l): l is string => l !== undefined && l !== 'web-flow'))];
      },
      self: await this.#self(),
      permission: (login) => this.#permission(login),
    });
  }

  /** Every pull request GitHub associates with a commit: open, closed, into any branch (the caller picks). */
  async #pullsOf(commit_sha: string): Promise<MergeRequestRef[]> {
    const prs = await this.#call('GET', `/commits/${commit_sha}/pulls`, () =>
      this.#octokit.paginate(this.#octokit.rest.repos.listPullRequestsAssociatedWithCommit, { ...this.#repo, commit_sha, per_page: 100 }),
    );
    return (prs as GithubPull[]).map(pullRef);
  }

  async mergeRequestForCommit(sha?: string): Promise<MergeRequestRef | undefined> {
    const commit_sha = commitOf(this.#ctx, sha);
    return landedBy(await this.#pullsOf(commit_sha), commit_sha, await this.#defaultBranch());
  }

  async landedMergeRequests(commits: readonly string[]): Promise<LandedCommit[]> {
    return landedEach(commits, (sha) => this.#pullsOf(sha), await this.#defaultBranch());
  }

  /**
   * Open issues our own user opened, listed once per run (see {@link RunCache}) and filtered by
   * GitHub (`creator`); filtered again here, since GitHub lists pull requests among issues and
   * anyone can paste our marker.
   */
  async #openIssues(): Promise<GithubIssue[]> {
    const self = await this.#self();
    const all = await this.#call('GET', '/issues', () =>
      this.#octokit.paginate(this.#octokit.rest.issues.listForRepo, {
        ...this.#repo,
        creator: self.username,
        state: 'open',
        sort: 'created',
        direction: 'asc',
        per_page: 100,
      }),
    );
    return all.filter((i) => !i.pull_request && sameUser(i.user ? { username: i.user.login } : undefined, self));
  }

  async upsertIssue(key: string, issue: IssueContent): Promise<IssueResult> {
    const posted = withMarker(key, issue.body);
    assertFits('github', key, posted);
    const labels = issue.labels ?? [];
    const missingLabels = (i: GithubIssue) => labels.filter((l) => !labelNames(i).includes(l));
    const { issues } = this.#octokit.rest;
    const plan = planUpsert(
      await this.#issues.list(),
      key,
      (i) => i.body,
      (i) => i.title === issue.title && sameBody(i.body, posted) && missingLabels(i).length === 0,
    );
    if (plan.action === 'create') {
      const { data } = await this.#call('POST', '/issues', () =>
        issues.create({ ...this.#repo, title: issue.title, body: posted, labels: [...labels], ...noBlindRetry }),
      );
      await this.#issues.add(data as GithubIssue);
      return { number: data.number, url: data.html_url, action: 'opened' };
    }
    const { number, html_url } = plan.item;
    if (plan.action === 'update') {
      // `labels` in an update replaces the whole set: add ours instead, so labels people added stay
      // even when they were added after this run listed the issue.
      const adding = missingLabels(plan.item);
      let { data } = await this.#call('PATCH', `/issues/${number}`, () =>
        issues.update({ ...this.#repo, issue_number: number, title: issue.title, body: posted }),
      );
      if (adding.length > 0) {
        const added = await this.#call('POST', `/issues/${number}/labels`, () =>
          issues.addLabels({ ...this.#repo, issue_number: number, labels: adding }),
        );
        data = { ...data, labels: added.data };
      }
      await this.#issues.replace(plan.item, data as GithubIssue);
    }
    return { number, url: html_url, action: plan.action === 'update' ? 'updated' : 'unchanged' };
  }

  async closeIssue(key: string, comment?: string): Promise<IssueRef | undefined> {
    const open = findMarked(await this.#issues.list(), key, (i) => i.body);
    if (!open) return undefined;
    const { issues } = this.#octokit.rest;
    if (comment !== undefined) {
      assertFits('github', key, comment);
      await this.#call('POST', `/issues/${open.number}/comments`, () =>
        issues.createComment({ ...this.#repo, issue_number: open.number, body: comment, ...noBlindRetry }),
      );
    }
    await this.#call('PATCH', `/issues/${open.number}`, () =>
      issues.update({ ...this.#repo, issue_number: open.number, state: 'closed', state_reason: 'completed' }),
    );
    await this.#issues.remove((i) => i === open);
    return { number: open.number, url: open.html_url };
  }
}
