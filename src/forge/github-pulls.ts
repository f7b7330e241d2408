import type { MergeRequestRef } from './forge.js';
import type { GithubClient } from './github-client.js';

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

/** commits.md "List pull requests associated with a commit": open, closed, into any branch. */
export async function githubPullsOf(client: GithubClient, commit_sha: string): Promise<MergeRequestRef[]> {
  const { octokit } = client;
  const prs = await client.call('GET', `/commits/${commit_sha}/pulls`, () =>
    octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, { ...client.repo, commit_sha, per_page: 100 }),
  );
  return (prs as GithubPull[]).map(pullRef);
}
