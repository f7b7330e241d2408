import { Commits, IssueNotes, Issues, MergeRequestApprovals, MergeRequestNotes } from '@gitbeaker/rest';
import { apiCall, type ApiCall } from './api-call.js';
import { commitOf, mergeRequestOf, type ForgeContext } from './context.js';
import { GITLAB_MAX_BODY_CHARS, type Approvals, type CommentResult, type Forge, type IssueContent, type IssueRef, type IssueResult, type MergeRequestRef } from './forge.js';
import { assertFits, findMarked, planUpsert, sameBody, withMarker } from './markers.js';

// Lists come oldest first, so the first marked item wins if a race ever made two.
const oldestFirst = { perPage: 100, orderBy: 'created_at', sort: 'asc' } as const;

interface GitlabIssue {
  iid: number;
  title: string;
  description: string | null;
  labels: unknown[];
  web_url: string;
}

const mrState: Record<string, MergeRequestRef['state']> = { opened: 'open', merged: 'merged', closed: 'closed', locked: 'closed' };

/** {@link Forge} over the GitLab v4 REST API, through @gitbeaker/rest. */
export class GitlabForge implements Forge {
  readonly platform = 'gitlab';
  readonly maxBodyChars = GITLAB_MAX_BODY_CHARS;
  readonly #ctx: ForgeContext;
  readonly #project: string;
  readonly #api;

  constructor(ctx: ForgeContext, options: { timeoutMs?: number } = {}) {
    this.#ctx = ctx;
    this.#project = encodeURIComponent(ctx.project);
    // gitbeaker appends /api/v4 itself. The token is handed over as a function so the
    // client objects never hold its value.
    const clientOptions = { host: ctx.apiUrl.replace(/\/api\/v4$/, ''), token: async () => ctx.token.reveal(), queryTimeout: options.timeoutMs ?? 60_000 };
    this.#api = {
      notes: new MergeRequestNotes(clientOptions),
      approvals: new MergeRequestApprovals(clientOptions),
      commits: new Commits(clientOptions),
      issues: new Issues(clientOptions),
      issueNotes: new IssueNotes(clientOptions),
    };
  }

  #call<T>(method: ApiCall['method'], path: string, run: () => Promise<T>): Promise<T> {
    return apiCall({ platform: 'gitlab', method, path: `/projects/${this.#project}${path}` }, this.#ctx.token, this.#ctx.tokenVariable, run);
  }

  async upsertMergeRequestComment(key: string, body: string, mr?: number): Promise<CommentResult> {
    const iid = mergeRequestOf(this.#ctx, mr);
    const posted = withMarker(key, body);
    assertFits('gitlab', key, posted);
    const path = `/merge_requests/${iid}/notes`;
    const notes = await this.#call('GET', path, () => this.#api.notes.all(this.#ctx.project, iid, oldestFirst));
    // System notes ("added 1 commit") quote nothing of ours, but skip them to be sure.
    const plan = planUpsert(notes.filter((n) => !n.system), key, (n) => n.body, (n) => sameBody(n.body, posted));
    const url = (id: number) => (this.#ctx.projectUrl ? `${this.#ctx.projectUrl}/-/merge_requests/${iid}#note_${id}` : undefined);
    if (plan.action === 'create') {
      const note = await this.#call('POST', path, () => this.#api.notes.create(this.#ctx.project, iid, posted));
      return { id: note.id, url: url(note.id), action: 'created' };
    }
    const id = plan.item.id;
    if (plan.action === 'update') await this.#call('PUT', `${path}/${id}`, () => this.#api.notes.edit(this.#ctx.project, iid, id, { body: posted }));
    return { id, url: url(id), action: plan.action === 'update' ? 'updated' : 'unchanged' };
  }

  async mergeRequestApprovals(mr?: number): Promise<Approvals> {
    const iid = mergeRequestOf(this.#ctx, mr);
    const state = await this.#call('GET', `/merge_requests/${iid}/approvals`, () => this.#api.approvals.showConfiguration(this.#ctx.project, { mergerequestIId: iid }));
    const approvers = (state.approved_by ?? []).map((a) => a.user.username);
    // `approved` is in every GitLab reply but missing from gitbeaker's type; approvals_left is the fallback.
    const reported = (state as { approved?: boolean }).approved;
    const platformApproved = typeof reported === 'boolean' ? reported : (state.approvals_left ?? 0) === 0;
    const required = typeof state.approvals_required === 'number' ? state.approvals_required : undefined;
    return { approved: platformApproved && approvers.length > 0, approvers, required };
  }

  async mergeRequestForCommit(sha?: string): Promise<MergeRequestRef | undefined> {
    const commit = commitOf(this.#ctx, sha);
    const mrs = await this.#call('GET', `/repository/commits/${commit}/merge_requests`, () => this.#api.commits.allMergeRequests(this.#ctx.project, commit));
    const mr = mrs.find((m) => m.state === 'merged') ?? mrs[0];
    if (!mr) return undefined;
    return { number: mr.iid, url: mr.web_url, title: mr.title, state: mrState[mr.state] ?? 'closed', sourceBranch: mr.source_branch, targetBranch: mr.target_branch };
  }

  async #openIssues(): Promise<GitlabIssue[]> {
    return this.#call('GET', '/issues', () => this.#api.issues.all({ projectId: this.#ctx.project, state: 'opened', ...oldestFirst }) as Promise<GitlabIssue[]>);
  }

  async upsertIssue(key: string, issue: IssueContent): Promise<IssueResult> {
    const posted = withMarker(key, issue.body);
    assertFits('gitlab', key, posted);
    const labels = issue.labels ?? [];
    const missingLabels = (i: GitlabIssue) => labels.filter((l) => !i.labels.includes(l));
    const plan = planUpsert(await this.#openIssues(), key, (i) => i.description, (i) => i.title === issue.title && sameBody(i.description, posted) && missingLabels(i).length === 0);
    if (plan.action === 'create') {
      const created = await this.#call('POST', '/issues', () => this.#api.issues.create(this.#ctx.project, issue.title, { description: posted, labels: labels.join(',') }));
      return { number: created.iid, url: created.web_url, action: 'opened' };
    }
    const { iid, web_url } = plan.item;
    if (plan.action === 'update') {
      const addLabels = missingLabels(plan.item).join(',');
      await this.#call('PUT', `/issues/${iid}`, () => this.#api.issues.edit(this.#ctx.project, iid, { title: issue.title, description: posted, ...(addLabels ? { addLabels } : {}) }));
    }
    return { number: iid, url: web_url, action: plan.action === 'update' ? 'updated' : 'unchanged' };
  }

  async closeIssue(key: string, comment?: string): Promise<IssueRef | undefined> {
    const open = findMarked(await this.#openIssues(), key, (i) => i.description);
    if (!open) return undefined;
    if (comment !== undefined) {
      assertFits('gitlab', key, comment);
      await this.#call('POST', `/issues/${open.iid}/notes`, () => this.#api.issueNotes.create(this.#ctx.project, open.iid, comment));
    }
    await this.#call('PUT', `/issues/${open.iid}`, () => this.#api.issues.edit(this.#ctx.project, open.iid, { stateEvent: 'close' }));
    return { number: open.iid, url: open.web_url };
  }
}
