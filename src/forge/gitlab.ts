import type { ForgeSettings } from './ci-settings.js';
import { composeForge } from './compose-forge.js';
import { type Forge, type ForgeOptions, GITLAB_MAX_BODY_CHARS } from './forge.js';
import { checkGitlabAccess, gitlabMergeRequestApprovals } from './gitlab-checks.js';
import { gitlabClient } from './gitlab-client.js';
import { gitlabIssues } from './gitlab-issues.js';
import { gitlabMergeRequestsOf } from './gitlab-merge-requests.js';
import { gitlabNotes } from './gitlab-notes.js';
import { setGitlabStatus } from './gitlab-statuses.js';

/** {@link Forge} over the GitLab v4 REST API, through @gitbeaker/rest: one file per API area. */
export function gitlabForge(ctx: ForgeSettings, options: ForgeOptions = {}): Forge {
  const client = gitlabClient(ctx, options);
  return composeForge({
    api: client,
    maxBodyChars: GITLAB_MAX_BODY_CHARS,
    checkAccess: (job) => checkGitlabAccess(client, job),
    thread: (iid) => gitlabNotes(client, iid),
    approvals: (iid) => gitlabMergeRequestApprovals(client, iid),
    mergeRequestsOf: (sha) => gitlabMergeRequestsOf(client, sha),
    issues: gitlabIssues(client),
    setCommitStatus: (sha, status) => setGitlabStatus(client, sha, status),
  });
}
