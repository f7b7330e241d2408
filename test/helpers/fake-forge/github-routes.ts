/**
 * The GitHub REST routes of the fake forge, one file per API area; this one holds who is who
 * and what they may do: the token's user, the repository and its permissions, collaborators,
 * and the one-item reads of the access check.
 */
import { githubCommentRoutes } from './github-comment-routes.js';
import { githubCommitRoutes } from './github-commit-routes.js';
import { githubIssueRoutes } from './github-issue-routes.js';
import { githubPullRoutes } from './github-pull-routes.js';
import { type GithubKit, githubShapes } from './github-shapes.js';
import { githubError, ok, page, type Route } from './http.js';
import type { GithubRole } from './model.js';
import type { FakeState } from './state.js';

// GitHub docs: https://docs.github.com/en/rest. Citations below name the page and section.
export function githubRoutes(state: FakeState, base: string): Route[] {
  const kit: GithubKit = { state, base, shapes: githubShapes(state, base) };
  return [
    ...accessRoutes(kit),
    ...githubCommentRoutes(kit),
    ...githubPullRoutes(kit),
    ...githubCommitRoutes(kit),
    ...githubIssueRoutes(kit),
  ];
}

const permissionOf: Record<GithubRole, string> = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read' };
// repos.md "Get a repository": `permissions` of the token's user, each role including the ones below it.
const roles: GithubRole[] = ['read', 'triage', 'write', 'maintain', 'admin'];
const rolePermissions = (role: GithubRole) => {
  const at = roles.indexOf(role);
  return { pull: at >= 0, triage: at >= 1, push: at >= 2, maintain: at >= 3, admin: at >= 4 };
};

function accessRoutes({ shapes }: GithubKit): Route[] {
  const { repoOf, user, pull } = shapes;
  return [
    // users.md "Get the authenticated user". An installation token (GITHUB_TOKEN) is refused with 403
    // "Resource not accessible by integration": it is not a user.
    {
      method: 'GET',
      pattern: ['user'],
      handle: (c) => (c.actor.installation ? githubError(403, 'Resource not accessible by integration') : ok(user(c.actor.username))),
    },
    // repos.md "Get a repository".
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo'],
      handle: (c) =>
        ok({
          full_name: repoOf(c),
          default_branch: c.project.defaultBranch,
          private: true,
          // Only a user's token sees its own role; an installation token's answer has none.
          ...(c.actor.installation
            ? {}
            : { permissions: rolePermissions(c.project.collaborators.get(c.actor.username) ?? c.actor.role ?? 'write') }),
        }),
    },
    // commits.md "List commits", pulls.md "List pull requests", statuses.md "List commit statuses for a reference":
    // the one-item reads of the access check.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'commits'],
      handle: (c) =>
        page(
          'github',
          [...c.project.commits.keys()].map((sha) => ({ sha, commit: { message: '' } })),
          c,
        ),
    },
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'pulls'],
      handle: (c) =>
        page(
          'github',
          c.project.mergeRequests.filter((m) => m.state === 'open').map((m) => pull(c, m)),
          c,
        ),
    },
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'commits', ':sha', 'statuses'],
      handle: (c) =>
        page(
          'github',
          c.project.statuses
            .filter((x) => x.sha === c.params.sha)
            .reverse()
            .map((x) => ({ state: x.state, context: x.name, description: x.description ?? null, created_at: x.createdAt })),
          c,
        ),
    },
    // collaborators.md "Get repository permissions for a user": permission admin/write/read/none (maintain
    // reads as write, triage as read); role_name keeps the role. A non-collaborator of a private repository: none.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'collaborators', ':login', 'permission'],
      handle: (c) => {
        const role = c.project.collaborators.get(c.params.login!);
        return ok({ permission: role ? permissionOf[role] : 'none', role_name: role ?? 'none', user: user(c.params.login!) });
      },
    },
  ];
}
