/**
 * What the local forge server demands of a token, route by route, as the platforms document it,
 * so that a token given too little fails a test the way it would fail in a pipeline.
 *
 * GitLab: docs.gitlab.com/user/permissions ("Project members permissions") and each API page:
 * reads of merge requests and their notes need Reporter on a private project; commit statuses
 * need Developer (commits.md "Set the pipeline status of a commit"); the project's approval
 * settings need Maintainer (merge_request_approvals.md, project-level configuration); writes
 * need the `api` scope, reads `read_api` or `api`.
 *
 * GitHub: docs.github.com/rest/authentication/permissions-required-for-github-apps for
 * installation tokens (GITHUB_TOKEN); a user token acts with its repository role (read, triage,
 * write, maintain, admin). A refused call answers 403 "Resource not accessible by integration"
 * with `x-accepted-github-permissions` naming what it needed, as GitHub does.
 */

export type GithubPermission = 'contents' | 'issues' | 'pull-requests' | 'statuses' | 'metadata';
export type GithubAccess = 'read' | 'write';
export type GithubPermissions = Partial<Record<GithubPermission, GithubAccess>>;

/** What the Actions GITHUB_TOKEN of the templates is granted, all jobs together. */
export const templateGithubPermissions: GithubPermissions = {
  contents: 'read',
  issues: 'write',
  'pull-requests': 'write',
  statuses: 'write',
  metadata: 'read',
};

/** A GitLab route's needs: the least access level and whether it writes. */
interface GitlabNeed {
  level: number;
  write: boolean;
}

const guest = 10;
const reporter = 20;
const developer = 30;
const maintainer = 40;

const gitlabNeeds: Record<string, GitlabNeed> = {
  'GET user': { level: 0, write: false },
  'GET users/:uid': { level: 0, write: false },
  'GET personal_access_tokens/self': { level: 0, write: false },
  'GET projects/:id': { level: guest, write: false },
  'GET projects/:id/members/all/:uid': { level: guest, write: false },
  'GET projects/:id/merge_requests/:iid/notes': { level: reporter, write: false },
  'POST projects/:id/merge_requests/:iid/notes': { level: reporter, write: true },
  'PUT projects/:id/merge_requests/:iid/notes/:note': { level: reporter, write: true },
  'GET projects/:id/merge_requests/:iid': { level: reporter, write: false },
  'GET projects/:id/merge_requests/:iid/commits': { level: reporter, write: false },
  'GET projects/:id/merge_requests/:iid/approvals': { level: reporter, write: false },
  'GET projects/:id/merge_requests/:iid/approval_state': { level: reporter, write: false },
  'GET projects/:id/approvals': { level: maintainer, write: false },
  'GET projects/:id/repository/commits/:sha/merge_requests': { level: reporter, write: false },
  'POST projects/:id/statuses/:sha': { level: developer, write: true },
  'GET projects/:id/issues': { level: guest, write: false },
  'POST projects/:id/issues': { level: guest, write: true },
  'PUT projects/:id/issues/:iid': { level: reporter, write: true },
  'POST projects/:id/issues/:iid/notes': { level: guest, write: true },
};

/** Any one of these permission sets suffices (e.g. PR comments: pull-requests or issues write). */
const githubNeeds: Record<string, GithubPermissions[]> = {
  'GET user': [{}],
  'GET repos/:owner/:repo': [{ metadata: 'read' }],
  'GET repos/:owner/:repo/collaborators/:login/permission': [{ metadata: 'read' }],
  'GET repos/:owner/:repo/commits': [{ contents: 'read' }],
  'GET repos/:owner/:repo/pulls': [{ 'pull-requests': 'read' }],
  'GET repos/:owner/:repo/issues/:number/comments': [{ issues: 'read' }, { 'pull-requests': 'read' }],
  'POST repos/:owner/:repo/issues/:number/comments': [{ issues: 'write' }, { 'pull-requests': 'write' }],
  'PATCH repos/:owner/:repo/issues/comments/:id': [{ issues: 'write' }, { 'pull-requests': 'write' }],
  'GET repos/:owner/:repo/pulls/:number': [{ 'pull-requests': 'read' }],
  'GET repos/:owner/:repo/pulls/:number/reviews': [{ 'pull-requests': 'read' }],
  'GET repos/:owner/:repo/pulls/:number/commits': [{ 'pull-requests': 'read' }],
  'GET repos/:owner/:repo/commits/:sha/pulls': [{ 'pull-requests': 'read', contents: 'read' }],
  'GET repos/:owner/:repo/commits/:sha/statuses': [{ statuses: 'read' }],
  'POST repos/:owner/:repo/statuses/:sha': [{ statuses: 'write' }],
  'GET repos/:owner/:repo/issues': [{ issues: 'read' }],
  'POST repos/:owner/:repo/issues': [{ issues: 'write' }],
  'PATCH repos/:owner/:repo/issues/:number': [{ issues: 'write' }],
  'POST repos/:owner/:repo/issues/:number/labels': [{ issues: 'write' }, { 'pull-requests': 'write' }],
};

const routeKey = (method: string, pattern: readonly string[]) => `${method} ${pattern.join('/')}`;

/** Why a GitLab token at `level` with `scopes` may not call the route; undefined when it may. */
export function gitlabRefusal(method: string, pattern: readonly string[], level: number, scopes: readonly string[]): string | undefined {
  const need = gitlabNeeds[routeKey(method, pattern)];
  if (!need) return `no permission rule for ${routeKey(method, pattern)}`;
  if (need.write ? !scopes.includes('api') : !scopes.some((s) => s === 'api' || s === 'read_api'))
    return '403 Forbidden - insufficient_scope';
  return level < need.level ? '403 Forbidden' : undefined;
}

const rank = { read: 1, write: 2 } as const;

/** The permissions a GitHub repository role gives a user token. */
export function roleGithubPermissions(role: string): GithubPermissions {
  const write = ['admin', 'maintain', 'write'].includes(role);
  const triage = role === 'triage';
  const level: GithubAccess = write ? 'write' : 'read';
  return {
    metadata: 'read',
    contents: level,
    statuses: level,
    issues: write || triage ? 'write' : 'read',
    'pull-requests': write || triage ? 'write' : 'read',
  };
}

/**
 * The `x-accepted-github-permissions` value when `held` may not call the route (e.g.
 * `statuses=write`; alternatives joined with `; `); undefined when it may.
 */
export function githubRefusal(method: string, pattern: readonly string[], held: GithubPermissions): string | undefined {
  const options = githubNeeds[routeKey(method, pattern)];
  if (!options) return `no-rule=${routeKey(method, pattern)}`;
  // Every token reads metadata (GitHub sets it for any repository permission).
  const has = (p: GithubPermission) => held[p] ?? (p === 'metadata' ? 'read' : undefined);
  const enough = (need: GithubPermissions) =>
    Object.entries(need).every(([p, a]) => {
      const h = has(p as GithubPermission);
      return h !== undefined && rank[h] >= rank[a];
    });
  if (options.some(enough)) return undefined;
  return options
    .map((o) =>
      Object.entries(o)
        .map(([p, a]) => `${p.replace('-', '_')}=${a}`)
        .join(','),
    )
    .join('; ');
}
