import { type AccessCheck, type ForgeJob, type GithubAccess, type GithubPermission, githubMissing, jobNeeds } from './access.js';

/** `permissions` of `GET /repos/{owner}/{repo}` for a user's token (repos.md "Get a repository"). */
export interface RepoPermissions {
  admin?: boolean;
  maintain?: boolean;
  push?: boolean;
  triage?: boolean;
  pull?: boolean;
}

/** What a user token's repository role lets it do, per token permission. */
export function heldByRole(p: RepoPermissions): Record<GithubPermission, GithubAccess | 'none'> {
  const write = p.admin || p.maintain || p.push;
  const read = write || p.triage || p.pull ? 'read' : 'none';
  return {
    contents: write ? 'write' : read,
    statuses: write ? 'write' : read,
    // Triage may comment, label, close and reopen issues and pull requests.
    issues: write || p.triage ? 'write' : read,
    'pull-requests': write || p.triage ? 'write' : read,
  };
}

/** The calls the GitHub access check makes. */
export interface GithubAccessProbe {
  /** The repository's `permissions` for a user token; undefined for an installation token (GITHUB_TOKEN), which has none there. */
  repoPermissions(): Promise<RepoPermissions | undefined>;
  /** A one-item read needing `permission` (read): false when GitHub answers 403 (the token has no such permission). */
  canRead(permission: GithubPermission): Promise<boolean>;
}

/**
 * The GitHub access check of a job. A user token's role is read from the repository. An
 * installation token's permissions (GITHUB_TOKEN) are not readable through the API: each one the
 * job needs is tried with a one-item read, which proves read access; write access cannot be
 * proved without writing, so the note says what the workflow must grant.
 */
export async function githubAccess(job: ForgeJob, probe: GithubAccessProbe): Promise<AccessCheck> {
  const role = await probe.repoPermissions();
  if (role) return { missing: githubMissing(job, heldByRole(role)), notes: [] };
  const needs = Object.entries(jobNeeds[job].github) as [GithubPermission, GithubAccess][];
  const held: Partial<Record<GithubPermission, GithubAccess | 'none'>> = {};
  for (const [permission, access] of needs) held[permission] = (await probe.canRead(permission)) ? access : 'none';
  const writes = needs.filter(([, a]) => a === 'write').map(([p]) => `${p}: write`);
  return {
    missing: githubMissing(job, held),
    notes: writes.length ? [`an installation token's write permissions cannot be read: the workflow must grant ${writes.join(', ')}`] : [],
  };
}
