import { Octokit } from '@octokit/rest';
import { apiCall, type ApiCall } from './api-call.js';
import { commitOf, mergeRequestOf, type ForgeContext } from './context.js';
import { GITHUB_MAX_BODY_CHARS, type Approvals, type CommentResult, type Forge, type IssueContent, type IssueRef, type IssueResult, type MergeRequestRef } from './forge.js';
import { assertFits, findMarked, planUpsert, sameBody, withMarker } from './markers.js';

// Octokit logs every failed request to console.error; ours surface as thrown FORGE_ERRORs.
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface GithubIssue {
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  labels: (string | { name?: string })[];
  pull_request?: unknown;
}

const labelNames = (issue: GithubIssue): string[] => issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));

/** {@link Forge} over the GitHub REST API, through @octokit/rest. Pull requests are issues there. */
export class GithubForge implements Forge {
  readonly platform = 'github';
  readonly maxBodyChars = GITHUB_MAX_BODY_CHARS;
  readonly #ctx: ForgeContext;
  readonly #repo: { owner: string; repo: string };
  readonly #octokit: Octokit;

  constructor(ctx: ForgeContext, options: { timeoutMs?: number } = {}) {
    this.#ctx = ctx;
    const [owner = '', repo = ''] = ctx.project.split('/');
    this.#repo = { owner, repo };
    const timeoutMs = options.timeoutMs ?? 60_000;
    this.#octokit = new Octokit({
      auth: ctx.token.reveal(),
      baseUrl: ctx.apiUrl,
      userAgent: 'pulumi-gitops',
      log: silent,
      request: { fetch: (url: string, init?: RequestInit) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }) },
    });
  }

  #call<T>(method: ApiCall['method'], path: string, run: () => Promise<T>): Promise<T> {
    return apiCall({ platform: 'github', method, path: `/repos/${this.#ctx.project}${path}` }, this.#ctx.token, this.#ctx.tokenVariable, run);
  }

  async upsertMergeRequestComment(key: string, body: string, mr?: number): Promise<CommentResult> {
    const issue_number = mergeRequestOf(this.#ctx, mr);
    const posted = withMarker(key, body);
    assertFits('github', key, posted);
    const path = `/issues/${issue_number}/comments`;
    const { issues } = this.#octokit.rest;
    const comments = await this.#call('GET', path, () => this.#octokit.paginate(issues.listComments, { ...this.#repo, issue_number, per_page: 100 }));
    const plan = planUpsert(comments, key, (c) => c.body, (c) => sameBody(c.body, posted));
    if (plan.action === 'create') {
      const { data } = await this.#call('POST', path, () => issues.createComment({ ...this.#repo, issue_number, body: posted }));
      return { id: data.id, url: data.html_url, action: 'created' };
    }
    const { id, html_url } = plan.item;
    if (plan.action === 'update') await this.#call('PATCH', `/issues/comments/${id}`, () => issues.updateComment({ ...this.#repo, comment_id: id, body: posted }));
    return { id, url: html_url, action: plan.action === 'update' ? 'updated' : 'unchanged' };
  }

  /** Each reviewer's latest APPROVED / CHANGES_REQUESTED / DISMISSED review counts; comments do not. */
  async mergeRequestApprovals(mr?: number): Promise<Approvals> {
    const pull_number = mergeRequestOf(this.#ctx, mr);
    const reviews = await this.#call('GET', `/pulls/${pull_number}/reviews`, () => this.#octokit.paginate(this.#octokit.rest.pulls.listReviews, { ...this.#repo, pull_number, per_page: 100 }));
    const chronological = [...reviews].sort((a, b) => (a.submitted_at ?? '').localeCompare(b.submitted_at ?? '') || a.id - b.id);
    const latest = new Map<string, string>();
    for (const review of chronological) {
      if (review.user && review.state !== 'COMMENTED' && review.state !== 'PENDING') latest.set(review.user.login, review.state);
    }
    const by = (state: string) => [...latest].filter(([, s]) => s === state).map(([login]) => login);
    const approvers = by('APPROVED');
    const changesRequestedBy = by('CHANGES_REQUESTED');
    return { approved: approvers.length > 0 && changesRequestedBy.length === 0, approvers, changesRequestedBy };
  }

  async mergeRequestForCommit(sha?: string): Promise<MergeRequestRef | undefined> {
    const commit_sha = commitOf(this.#ctx, sha);
    const { data } = await this.#call('GET', `/commits/${commit_sha}/pulls`, () => this.#octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...this.#repo, commit_sha, per_page: 100 }));
    const pr = data.find((p) => p.merged_at) ?? data[0];
    if (!pr) return undefined;
    const state = pr.merged_at ? 'merged' : pr.state === 'open' ? 'open' : 'closed';
    return { number: pr.number, url: pr.html_url, title: pr.title, state, sourceBranch: pr.head.ref, targetBranch: pr.base.ref };
  }

  async #openIssues(): Promise<GithubIssue[]> {
    const all = await this.#call('GET', '/issues', () => this.#octokit.paginate(this.#octokit.rest.issues.listForRepo, { ...this.#repo, state: 'open', sort: 'created', direction: 'asc', per_page: 100 }));
    // GitHub lists pull requests among issues; a PR description is not our issue.
    return all.filter((i) => !i.pull_request);
  }

  async upsertIssue(key: string, issue: IssueContent): Promise<IssueResult> {
    const posted = withMarker(key, issue.body);
    assertFits('github', key, posted);
    const labels = issue.labels ?? [];
    const missingLabels = (i: GithubIssue) => labels.filter((l) => !labelNames(i).includes(l));
    const { issues } = this.#octokit.rest;
    const plan = planUpsert(await this.#openIssues(), key, (i) => i.body, (i) => i.title === issue.title && sameBody(i.body, posted) && missingLabels(i).length === 0);
    if (plan.action === 'create') {
      const { data } = await this.#call('POST', '/issues', () => issues.create({ ...this.#repo, title: issue.title, body: posted, labels: [...labels] }));
      return { number: data.number, url: data.html_url, action: 'opened' };
    }
    const { number, html_url } = plan.item;
    if (plan.action === 'update') {
      // `labels` replaces the whole set on GitHub: keep the ones people added.
      const merged = [...labelNames(plan.item), ...missingLabels(plan.item)];
      await this.#call('PATCH', `/issues/${number}`, () => issues.update({ ...this.#repo, issue_number: number, title: issue.title, body: posted, labels: merged }));
    }
    return { number, url: html_url, action: plan.action === 'update' ? 'updated' : 'unchanged' };
  }

  async closeIssue(key: string, comment?: string): Promise<IssueRef | undefined> {
    const open = findMarked(await this.#openIssues(), key, (i) => i.body);
    if (!open) return undefined;
    const { issues } = this.#octokit.rest;
    if (comment !== undefined) {
      assertFits('github', key, comment);
      await this.#call('POST', `/issues/${open.number}/comments`, () => issues.createComment({ ...this.#repo, issue_number: open.number, body: comment }));
    }
    await this.#call('PATCH', `/issues/${open.number}`, () => issues.update({ ...this.#repo, issue_number: open.number, state: 'closed', state_reason: 'completed' }));
    return { number: open.number, url: open.html_url };
  }
}
