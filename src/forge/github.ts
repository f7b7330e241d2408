import type { ForgeSettings } from './ci-settings.js';
import { composeForge } from './compose-forge.js';
import { type Forge, type ForgeOptions, GITHUB_MAX_BODY_CHARS } from './forge.js';
import { checkGithubAccess, githubPermissions, githubPullApprovals } from './github-checks.js';
import { githubClient } from './github-client.js';
import { githubComments } from './github-comments.js';
import { githubIssues } from './github-issues.js';
import { githubPullsOf } from './github-pulls.js';
import { setGithubStatus } from './github-statuses.js';

/** {@link Forge} over the GitHub REST API, through @octokit/rest: one file per API area. Pull requests are issues there. */
export function githubForge(ctx: ForgeSettings, options: ForgeOptions = {}): Forge {
  const client = githubClient(ctx, options);
  const permission = githubPermissions(client);
  return composeForge({
    api: client,
    maxBodyChars: GITHUB_MAX_BODY_CHARS,
    checkAccess: (job) => checkGithubAccess(client, job),
    thread: (number) => githubComments(client, number),
    approvals: (number) => githubPullApprovals(client, number, permission),
    mergeRequestsOf: (sha) => githubPullsOf(client, sha),
    issues: githubIssues(client),
    setCommitStatus: (sha, status) => setGithubStatus(client, sha, status),
  });
}
