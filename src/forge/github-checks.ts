import { assertAccess, type GithubPermission } from './access.js';
import { unless } from './api-call.js';
import type { Approvals, ForgeJob } from './forge.js';
import { githubAccess } from './github-access.js';
import { githubApprovals } from './github-approvals.js';
import type { GithubClient } from './github-client.js';

/*
 * The API reads behind the two checks whose rules live in github-access.ts and github-approvals.ts.
 */

/** The rights `job` needs, read from the token user's role or, for an installation token, one-item reads. */
export async function checkGithubAccess(client: GithubClient, job: ForgeJob): Promise<string[]> {
  const { rest } = client.octokit;
  const one = { ...client.repo, per_page: 1 };
  const sha = client.ctx.commit ?? (await client.defaultBranch());
  // One-item reads, each needing only the read permission of its kind (permissions-required-for-github-apps).
  const reads: Record<GithubPermission, [string, () => Promise<unknown>]> = {
    contents: ['/commits', () => rest.repos.listCommits(one)],
    issues: ['/issues', () => rest.issues.listForRepo(one)],
    'pull-requests': ['/pulls', () => rest.pulls.list(one)],
    statuses: [`/commits/${sha}/statuses`, () => rest.repos.listCommitStatusesForRef({ ...one, ref: sha })],
  };
  const check = await githubAccess(job, {
    // A user's token sees its role here; an installation token's answer has no `permissions`.
    repoPermissions: async () => (await client.call('GET', '', () => rest.repos.get(client.repo))).data.permissions,
    canRead: async (permission) => {
      const [path, read] = reads[permission];
      return (await client.call('GET', path, () => unless([403], false, () => read().then(() => true)))) === true;
    },
  });
  return assertAccess('github', job, client.ctx.tokenVariable, check);
}

/** `permission` of a login on the repository: admin, write, read or none (404: not a collaborator). Asked once per login. */
export function githubPermissions(client: GithubClient): (login: string) => Promise<string> {
  const asked = new Map<string, Promise<string>>();
  return (login) => {
    let p = asked.get(login);
    if (!p) {
      const path = `/collaborators/${encodeURIComponent(login)}/permission`;
      const ask = () =>
        client.octokit.rest.repos.getCollaboratorPermissionLevel({ ...client.repo, username: login }).then((r) => r.data.permission);
      p = client.call('GET', path, () => unless([404], 'none', ask));
      asked.set(login, p);
    }
    return p;
  };
}

/** See {@link githubApprovals}: APPROVED on the final head commit, by someone with write access who is not the author, us, or a bot. */
export async function githubPullApprovals(
  client: GithubClient,
  pull_number: number,
  permission: (login: string) => Promise<string>,
): Promise<Approvals> {
  const { octokit, repo } = client;
  const { pulls } = octokit.rest;
  return githubApprovals({
    pull: async () => {
      const { data } = await client.call('GET', `/pulls/${pull_number}`, () => pulls.get({ ...repo, pull_number }));
      return { author: data.user?.login, headSha: data.head.sha };
    },
    reviews: () =>
      client.call('GET', `/pulls/${pull_number}/reviews`, () =>
        octokit.paginate(pulls.listReviews, { ...repo, pull_number, per_page: 100 }),
      ),
    committers: async () => {
      const commits = await client.call('GET', `/pulls/${pull_number}/commits`, () =>
        octokit.paginate(pulls.listCommits, { ...repo, pull_number, per_page: 100 }),
      );
      const logins = commits.flatMap((c) => [c.author?.login, c.committer?.login]);
      return [...new Set(logins.filter((l): l is string => l !== undefined && l !== 'web-flow'))];
    },
    self: await client.self(),
    permission,
  });
}
