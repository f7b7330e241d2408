import { httpStatusOf } from './api-call.js';
import type { CommitStatus } from './forge.js';
import type { GitlabClient } from './gitlab-client.js';
import { statusDescription } from './status-description.js';

// commits.md "Set the pipeline status of a commit": pending, running, success, failed, canceled.
const gitlabState: Record<CommitStatus['state'], 'success' | 'failed' | 'pending'> = {
  success: 'success',
  failed: 'failed',
  pending: 'pending',
};

/**
 * commits.md "Set the pipeline status of a commit", on our pipeline when CI_PIPELINE_ID names it.
 * GitLab's status state machine refuses pending -> pending with 400 "Cannot transition status via
 * :enqueue from :pending" (gitlab-org/gitlab-foss#25807): a retried job re-posting "waiting for
 * approval" finds it already so, which is what it asked for.
 */
export async function setGitlabStatus(client: GitlabClient, sha: string, status: CommitStatus): Promise<void> {
  const pipelineId = Number(client.ctx.pipelineId);
  await client.call('POST', `/statuses/${sha}`, async () => {
    try {
      await client.rest.commits.editStatus(client.ctx.project, sha, gitlabState[status.state], {
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
