import { commitOf, mergeRequestOf } from './ci-settings.js';
import type { Approvals, CommitStatus, Forge, ForgeJob, MergeRequestRef } from './forge.js';
import type { ForgeApi } from './forge-api.js';
import { landedBy, landedEach } from './landed-merge-request.js';
import { type CommentThread, upsertMarkedComment } from './marked-comment.js';
import { closeMarkedIssue, type IssueTracker, upsertMarkedIssue } from './marked-issue.js';

/** What a platform supplies, area by area; {@link composeForge} makes the one {@link Forge} of them. */
export interface ForgeParts<C, I> {
  api: ForgeApi;
  maxBodyChars: number;
  checkAccess(job: ForgeJob): Promise<string[]>;
  /** The comments of merge request `mr` (already resolved against the context). */
  thread(mr: number): CommentThread<C>;
  approvals(mr: number): Promise<Approvals>;
  /** Every merge request the platform associates with a commit: open, closed, into any branch (the caller picks). */
  mergeRequestsOf(sha: string): Promise<MergeRequestRef[]>;
  issues: IssueTracker<I>;
  setCommitStatus(sha: string, status: CommitStatus): Promise<void>;
}

/** The {@link Forge} of a platform's parts: what both platforms do the same way is done here once. */
export function composeForge<C, I>(parts: ForgeParts<C, I>): Forge {
  const { api } = parts;
  const { ctx } = api;
  return {
    platform: api.platform,
    maxBodyChars: parts.maxBodyChars,
    run: { id: ctx.pipelineId, url: ctx.pipelineUrl, jobUrl: ctx.jobUrl },
    currentUser: () => api.self(),
    checkAccess: (job) => parts.checkAccess(job),
    // async: a missing MR number rejects like any other failure, never throws.
    upsertMergeRequestComment: async (key, body, mr) => upsertMarkedComment(parts.thread(mergeRequestOf(ctx, mr)), key, body),
    mergeRequestApprovals: async (mr) => parts.approvals(mergeRequestOf(ctx, mr)),
    mergeRequestForCommit: async (sha) => {
      const commit = commitOf(ctx, sha);
      return landedBy(await parts.mergeRequestsOf(commit), commit, await api.defaultBranch());
    },
    landedMergeRequests: async (commits) => landedEach(commits, (sha) => parts.mergeRequestsOf(sha), await api.defaultBranch()),
    upsertIssue: (key, issue) => upsertMarkedIssue(parts.issues, key, issue),
    closeIssue: (key, comment) => closeMarkedIssue(parts.issues, key, comment),
    setCommitStatus: (sha, status) => parts.setCommitStatus(sha, status),
  };
}
