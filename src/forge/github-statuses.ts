import type { CommitStatus } from './forge.js';
import type { GithubClient } from './github-client.js';
import { statusDescription } from './status-description.js';

// statuses.md "Create a commit status": error, failure, pending, success.
const githubState: Record<CommitStatus['state'], 'success' | 'failure' | 'pending'> = {
  success: 'success',
  failed: 'failure',
  pending: 'pending',
};

/** statuses.md "Create a commit status": the latest status per context is the one shown. */
export async function setGithubStatus(client: GithubClient, sha: string, status: CommitStatus): Promise<void> {
  await client.call('POST', `/statuses/${sha}`, () =>
    client.octokit.rest.repos.createCommitStatus({
      ...client.repo,
      sha,
      state: githubState[status.state],
      context: status.name,
      description: statusDescription(status.description),
      ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
    }),
  );
}
