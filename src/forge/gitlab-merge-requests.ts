import type { MergeRequestRef } from './forge.js';
import type { GitlabClient, GitlabUser } from './gitlab-client.js';

const mrState: Record<string, MergeRequestRef['state']> = { opened: 'open', merged: 'merged', closed: 'closed', locked: 'closed' };

/** The fields of a GitLab merge request we read, from any endpoint that returns one. */
export interface GitlabMergeRequest {
  iid: number;
  title: string;
  state: string;
  web_url: string;
  source_branch: string;
  target_branch: string;
  author?: GitlabUser;
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

/** commits.md "List merge requests associated with a commit": open, closed, into any branch. */
export async function gitlabMergeRequestsOf(client: GitlabClient, commit: string): Promise<MergeRequestRef[]> {
  const mrs = await client.call('GET', `/repository/commits/${commit}/merge_requests`, () =>
    client.rest.commits.allMergeRequests(client.ctx.project, commit),
  );
  return (mrs as unknown as GitlabMergeRequest[]).map(mergeRequestRef);
}
