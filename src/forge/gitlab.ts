import {
  Commits,
  IssueNotes,
  Issues,
  MergeRequestApprovals,
  MergeRequestNotes,
  MergeRequests,
  PersonalAccessTokens,
  ProjectMembers,
  Projects,
  Users,
} from '@gitbeaker/rest';
import { assertAccess } from './access.js';
import { type ApiCall, apiCall, httpStatusOf, unless } from './api-call.js';
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
  GITLAB_MAX_BODY_CHARS,
  type IssueContent,
  type IssueRef,
  type IssueResult,
  type LandedCommit,
  type MergeRequestRef,
} from './forge.js';
import { gitlabAccess } from './gitlab-access.js';
import { gitlabApprovals } from './gitlab-approvals.js';
import { gitlabRequester } from './gitlab-requester.js';
import { once, sameUser } from './identity.js';
import { landedBy, landedEach } from './landed-merge-request.js';
import { assertFits, findMarked, planUpsert, sameBody, withMarker } from './markers.js';
import { RunCache } from './run-cache.js';
import { statusDescription } from './status-description.js';

// Lists come oldest first, so the first marked item wins if a race ever made two.
const oldestFirst = { perPage: 100, orderBy: 'created_at', sort: 'asc' } as const;

interface GitlabIssue {
  iid: number;
  author?: { id: number; username: string } | null;
  title: string;
  description: string | null;
  labels: unknown[];
  web_url: string;
}

const mrState: Record<string, MergeRequestRef['state']> = { opened: 'open', merged: 'merged', closed: 'closed', locked: 'closed' };

/** The fields of a GitLab merge request we read, from any endpoint that returns one. */
export interface GitlabMergeRequest {
  iid: number;
  title: string;
  state: string;
  web_url: string;
  source_branch: string;
  target_branch: string;
  author?: { id: number; username: string } | null;
  sha?: string | null;
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
}

const mergeRequestRef = (mr: GitlabMergeRequest): MergeRequestRef => ({
  number: mr.iid,
  url: mr.web_url,
  title: mr.title,
  state: mrState[mr.state] ?? 'closed',
  sourceBranch: mr.source_branch,
  targetBranch: mr.target_branch,
  author: mr.author?.username,
  headSha: mr.sha ?? undefined,
  mergeCommitSha: mr.merge_commit_sha ?? undefined,
  squashCommitSha: mr.squash_commit_sha ?? undefined,
});

// commits.md "Set the pipeline status of a commit": pending, running, success, failed, canceled.
const gitlabState: Record<CommitStatus['state'], 'success' | 'failed' | 'pending'> = {
  success: 'success',
  failed: 'failed',
  pending: 'pending',
};

const userOf = (u: { id: number; username: string } | null | undefined): ForgeUser | undefined =>
  u ? { id: u.id, username: u.username } : undefined;

/** {@link Forge} over the GitLab v4 REST API, through @gitbeaker/rest. */
export class GitlabForge implements Forge {
  readonly platform = 'gitlab';
  readonly maxBodyChars = GITLAB_MAX_BODY_CHARS;
  readonly run: CiRun;
  readonly #ctx: ForgeContext;
  readonly #project: string;
  readonly #api;
  readonly #self: () => Promise<ForgeUser>;
  readonly #issues = new RunCache(() => this.#openIssues());

  constructor(ctx: ForgeContext, options: ForgeOptions = {}) {
    this.#ctx = ctx;
    this.run = { id: ctx.pipelineId, url: ctx.pipelineUrl, jobUrl: ctx.jobUrl };
    this.#project = encodeURIComponent(ctx.project);
    // gitbeaker appends /api/v4 itself. The token is handed over as a function so the
    // client objects never hold its value. Our requester replaces gitbeaker's retries (see gitlab-requester.ts).
    const clientOptions = {
      host: ctx.apiUrl.replace(/\/api\/v4$/, ''),
      token: async () => ctx.token.reveal(),
      queryTimeout: options.timeoutMs ?? 60_000,
      requesterFn: gitlabRequester(options.retryPolicy, options.onRetry),
    };
    this.#api = {
      notes: new MergeRequestNotes(clientOptions),
      approvals: new MergeRequestApprovals(clientOptions),
      commits: new Commits(clientOptions),
      issues: new Issues(clientOptions),
      issueNotes: new IssueNotes(clientOptions),
      mergeRequests: new MergeRequests(clientOptions),
      members: new ProjectMembers(clientOptions),
      tokens: new PersonalAccessTokens(clientOptions),
      projects: new Projects(clientOptions),
      users: new Users(clientOptions),
    };
    this.#self = once(async () => {
      const me = await apiCall({ platform: 'gitlab', method: 'GET', path: '/user' }, ctx.token, ctx.tokenVariable, () =>
        this.#api.users.showCurrentUser(),
      );
      return { id: me.id, username: me.username };
    });
  }

  /** `GET /user`: a personal, project or group access token each has its own user. */
  currentUser(): Promise<ForgeUser> {
    return this.#self();
  }

  async checkAccess(job: ForgeJob): Promise<string[]> {
    const project = this.#ctx.project;
    const check = await gitlabAccess(job, {
      accessLevel: async () => {
        const self = await this.#self();
        // A token that is no member of a private project may not even read its members: 403.
        return this.#accessLevel(self.id!, [403, 404]);
      },
      scopes: () =>
        apiCall({ platform: 'gitlab', method: 'GET', path: '/personal_access_tokens/self' }, this.#ctx.token, this.#ctx.tokenVariable, () =>
          unless([401, 403, 404], undefined, () => this.#api.tokens.show().then((t) => (t as { scopes?: string[] }).scopes)),
        ),
      resetApprovalsOnPush: () =>
        this.#call('GET', '/approvals', () =>
          unless([403, 404], undefined, () =>
            this.#api.approvals
              .showConfiguration(project)
              .then((c) => (c as { reset_approvals_on_push?: boolean }).reset_approvals_on_push === true),
          ),
        ),
    });
    return assertAccess('gitlab', job, this.#ctx.tokenVariable, check);
  }

  /** A user's access level on the project, inherited included; undefined for a non-member. */
  #accessLevel(id: number, absent: readonly number[] = [404]): Promise<number | undefined> {
    return this.#call('GET', `/members/all/${id}`, () =>
      unless(absent, undefined, () =>
        this.#api.members.show(this.#ctx.project, id, { includeInherited: true }).then((m) => m.access_level as number),
      ),
    );
  }

  async #defaultBranch(): Promise<string> {
    if (this.#ctx.defaultBranch) return this.#ctx.defaultBranch;
    const project = await this.#call('GET', '', () => this.#api.projects.show(this.#ctx.project));
    return project.default_branch;
  }

  #call<T>(method: ApiCall['method'], path: string, run: () => Promise<T>): Promise<T> {
    return apiCall(
      { platform: 'gitlab', method, path: `/projects/${this.#project}${path}` },
      this.#ctx.token,
      this.#ctx.tokenVariable,
      run,
    );
  }

  async upsertMergeRequestComment(key: string, body: string, mr?: number): Promise<CommentResult> {
    const iid = mergeRequestOf(this.#ctx, mr);
    const posted = withMarker(key, body);
    assertFits('gitlab', key, posted);
    const path = `/merge_requests/${iid}/notes`;
    const plan = planUpsert(
      await this.#ourNotes(iid),
      key,
      (n) => n.body,
      (n) => sameBody(n.body, posted),
    );
    const url = (id: number) => (this.#ctx.projectUrl ? `${this.#ctx.projectUrl}/-/merge_requests/${iid}#note_${id}` : undefined);
    if (plan.action === 'create') {
      // After an ambiguous failure the note may exist: look for ours before posting again.
      const note = await this.#call('POST', path, () =>
        createOnce(
          () => this.#api.notes.create(this.#ctx.project, iid, posted),
          async () => findMarked(await this.#ourNotes(iid), key, (n) => n.body),
        ),
      );
      return { id: note.id, url: url(note.id), action: 'created' };
    }
    const id = plan.item.id;
    if (plan.action === 'update')
      await this.#call('PUT', `${path}/${id}`, () => this.#api.notes.edit(this.#ctx.project, iid, id, { body: posted }));
    return { id, url: url(id), action: plan.action === 'update' ? 'updated' : 'unchanged' };
  }

  /**
   * The MR's notes our own user wrote: anyone can post one that starts with our marker, and
   * GitLab lets only a note's author edit it. System notes ("added 1 commit") are never ours.
   */
  async #ourNotes(iid: number) {
    const notes = await this.#call('GET', `/merge_requests/${iid}/notes`, () => this.#api.notes.all(this.#ctx.project, iid, oldestFirst));
    const self = await this.#self();
    return notes.filter((n) => !n.system && sameUser(userOf(n.author as GitlabMergeRequest['author']), self));
  }

  /**
   * commits.md "Set the pipeline status of a commit", on our pipeline when CI_PIPELINE_ID names it.
   * GitLab's status state machine refuses pending -> pending with 400 "Cannot transition status via
   * :enqueue from :pending" (gitlab-org/gitlab-foss#25807): a retried job re-posting "waiting for
   * approval" finds it already so, which is what it asked for.
   */
  async setCommitStatus(sha: string, status: CommitStatus): Promise<void> {
    const pipelineId = Number(this.#ctx.pipelineId);
    await this.#call('POST', `/statuses/${sha}`, async () => {
      try {
        await this.#api.commits.editStatus(this.#ctx.project, sha, gitlabState[status.state], {
          name: status.name,
          description: statusDescription(status.description),
          ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
          ...(Number.isSafeInteger(pipelineId) && pipelineId > 0 ? { pipelineId } : {}),
        });
      } catch (err) {
        const alreadyPending =
          status.state === 'pending' && httpStatusOf(err) === 400 && /cannot transition status/i.test(String((err as Error).message));
        if (!alreadyPending) throw err;
      }
    });
  }

  async mergeRequestApprovals(mr?: number): Promise<Approvals> {
    const iid = mergeRequestOf(this.#ctx, mr);
    const project = this.#ctx.project;
    const merge = (await this.#call('GET', `/merge_requests/${iid}`, () =>
      this.#api.mergeRequests.show(project, iid),
    )) as unknown as GitlabMergeRequest;
    return gitlabApprovals({
      author: userOf(merge.author),
      self: await this.#self(),
      approvals: () =>
        this.#call('GET', `/merge_requests/${iid}/approvals`, () =>
          this.#api.approvals.showConfiguration(project, { mergerequestIId: iid }),
        ),
      // Premium/Ultimate only: GitLab Free has no such endpoint (404); 403 without access.
      projectSettings: () =>
        this.#call('GET', '/approvals', () => unless([403, 404], undefined, () => this.#api.approvals.showConfiguration(project))),
      accessLevel: (id) => this.#accessLevel(id),
      userFacts: (id) =>
        apiCall({ platform: 'gitlab', method: 'GET', path: `/users/${id}` }, this.#ctx.token, this.#ctx.tokenVariable, () =>
          this.#api.users.show(id).then((u) => {
            const user = u as unknown as { bot?: boolean; name?: string; public_email?: string };
            return { bot: user.bot === true, name: user.name, publicEmail: user.public_email || undefined };
          }),
        ),
      commitPeople: async () => {
        const commits = (await this.#call('GET', `/merge_requests/${iid}/commits`, () =>
          this.#api.mergeRequests.allCommits(project, iid),
        )) as unknown as { author_name?: string; author_email?: string; committer_name?: string; committer_email?: string }[];
        const present = (list: (string | undefined)[]) => list.filter((x): x is string => x !== undefined && x !== '');
        return {
          names: present(commits.flatMap((c) => [c.author_name, c.committer_name])),
          emails: present(commits.flatMap((c) => [c.author_email, c.committer_email])),
        };
      },
    });
  }

  /** Every MR GitLab associates with a commit: open, closed, into any branch (the caller picks). */
  async #mergeRequestsOf(commit: string): Promise<MergeRequestRef[]> {
    const mrs = await this.#call('GET', `/repository/commits/${commit}/merge_requests`, () =>
      this.#api.commits.allMergeRequests(this.#ctx.project, commit),
    );
    return (mrs as unknown as GitlabMergeRequest[]).map(mergeRequestRef);
  }

  async mergeRequestForCommit(sha?: string): Promise<MergeRequestRef | undefined> {
    const commit = commitOf(this.#ctx, sha);
    return landedBy(await this.#mergeRequestsOf(commit), commit, await this.#defaultBranch());
  }

  async landedMergeRequests(commits: readonly string[]): Promise<LandedCommit[]> {
    return landedEach(commits, (sha) => this.#mergeRequestsOf(sha), await this.#defaultBranch());
  }

  /** Open issues our own user opened (`author_id`), listed once per run: one planted by someone else with our marker is not ours. */
  async #openIssues(): Promise<GitlabIssue[]> {
    const self = await this.#self();
    const all = await this.#call(
      'GET',
      '/issues',
      () =>
        this.#api.issues.all({ projectId: this.#ctx.project, state: 'opened', authorId: self.id, ...oldestFirst }) as Promise<
          GitlabIssue[]
        >,
    );
    return all.filter((i) => sameUser(userOf(i.author), self));
  }

  async upsertIssue(key: string, issue: IssueContent): Promise<IssueResult> {
    const posted = withMarker(key, issue.body);
    assertFits('gitlab', key, posted);
    const labels = issue.labels ?? [];
    const missingLabels = (i: GitlabIssue) => labels.filter((l) => !i.labels.includes(l));
    const plan = planUpsert(
      await this.#issues.list(),
      key,
      (i) => i.description,
      (i) => i.title === issue.title && sameBody(i.description, posted) && missingLabels(i).length === 0,
    );
    if (plan.action === 'create') {
      const created = await this.#call('POST', '/issues', () =>
        this.#api.issues.create(this.#ctx.project, issue.title, { description: posted, labels: labels.join(',') }),
      );
      await this.#issues.add(created as unknown as GitlabIssue);
      return { number: created.iid, url: created.web_url, action: 'opened' };
    }
    const { iid, web_url } = plan.item;
    if (plan.action === 'update') {
      const addLabels = missingLabels(plan.item).join(',');
      const edited = await this.#call('PUT', `/issues/${iid}`, () =>
        this.#api.issues.edit(this.#ctx.project, iid, { title: issue.title, description: posted, ...(addLabels ? { addLabels } : {}) }),
      );
      await this.#issues.replace(plan.item, edited as unknown as GitlabIssue);
    }
    return { number: iid, url: web_url, action: plan.action === 'update' ? 'updated' : 'unchanged' };
  }

  async closeIssue(key: string, comment?: string): Promise<IssueRef | undefined> {
    const open = findMarked(await this.#issues.list(), key, (i) => i.description);
    if (!open) return undefined;
    if (comment !== undefined) {
      assertFits('gitlab', key, comment);
      await this.#call('POST', `/issues/${open.iid}/notes`, () => this.#api.issueNotes.create(this.#ctx.project, open.iid, comment));
    }
    await this.#call('PUT', `/issues/${open.iid}`, () => this.#api.issues.edit(this.#ctx.project, open.iid, { stateEvent: 'close' }));
    await this.#issues.remove((i) => i === open);
    return { number: open.iid, url: open.web_url };
  }
}
