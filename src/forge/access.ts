import { GitopsError } from '../errors/gitops-error.js';
import { type ForgeJob, type ForgePlatform, platformName } from './forge.js';

export type { ForgeJob };

/*
 * The least rights each job's token needs, per forge, and the check each job makes at start.
 *
 * GitLab (docs.gitlab.com/user/permissions, the API pages cited):
 * - every call: a token with the `api` scope (`read_api` cannot write notes, issues or statuses);
 * - MR notes, MR details and commits, MR approval state (notes.md, merge_requests.md,
 *   merge_request_approvals.md): Reporter on a private project;
 * - commit statuses (commits.md "Set the pipeline status of a commit"): Developer;
 * - the project's approval settings (`GET /projects/:id/approvals`, merge_request_approvals.md
 *   "Retrieve approval configuration for a project", which tells whether approvals reset on
 *   push): Maintainer; Premium/Ultimate only;
 * - issues (issues.md): open as Guest; edit and close our own as their author (Reporter).
 *
 * GitHub (docs.github.com/rest/authentication/permissions-required-for-github-apps):
 * - MR comments: `pull-requests: write` (or `issues: write`);
 * - pull request, reviews, commits, pulls of a commit: `pull-requests: read`, `contents: read`;
 * - collaborator permission of an approver: `metadata: read` (every token has it);
 * - commit statuses: `statuses: write`;
 * - drift issues: `issues: write`.
 */

/** GitLab access levels (members.md "Roles"). */
export const gitlabLevels = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;
export type GitlabRole = keyof typeof gitlabLevels;

/** GitHub token permissions (a workflow's `permissions:` keys). */
export type GithubPermission = 'contents' | 'issues' | 'pull-requests' | 'statuses';
export type GithubAccess = 'read' | 'write';

export interface JobNeeds {
  gitlab: { role: GitlabRole; why: string };
  github: Partial<Record<GithubPermission, GithubAccess>>;
}

/** The least each job needs: the templates and docs/setup-*.md grant exactly this. */
export const jobNeeds: Record<ForgeJob, JobNeeds> = {
  preview: {
    gitlab: { role: 'reporter', why: 'write the merge request comment' },
    github: { contents: 'read', 'pull-requests': 'write' },
  },
  deploy: {
    gitlab: {
      role: 'maintainer',
      why: 'read whether approvals reset on push (GET /projects/:id/approvals) and set commit statuses (Developer)',
    },
    github: { contents: 'read', 'pull-requests': 'write', statuses: 'write' },
  },
  drift: {
    gitlab: { role: 'reporter', why: 'open, update and close drift issues' },
    github: { contents: 'read', issues: 'write' },
  },
};

/** What the start-of-job check found. */
export interface AccessCheck {
  /** Each right the token lacks, named as the forge names it. */
  missing: string[];
  /** What the check could not prove, or a guarantee the forge's tier cannot give: said at start, not fatal. */
  notes: string[];
}

/** The role's name for a GitLab access level, e.g. 30 -> Developer. */
export function gitlabRoleName(level: number | undefined): string {
  const found = Object.entries(gitlabLevels)
    .filter(([, l]) => level !== undefined && l <= level)
    .at(-1)?.[0];
  return found ? found[0]!.toUpperCase() + found.slice(1) : 'no role';
}

/** Pure: the GitLab rights a job lacks, from the token's access level and scopes (undefined: not readable). */
export function gitlabMissing(job: ForgeJob, level: number | undefined, scopes: readonly string[] | undefined): string[] {
  const need = jobNeeds[job].gitlab;
  const missing: string[] = [];
  if (scopes !== undefined && !scopes.includes('api'))
    missing.push(`the token's scope api (it has ${scopes.join(', ') || 'none'}): read_api cannot write`);
  if ((level ?? 0) < gitlabLevels[need.role])
    missing.push(
      `the role ${gitlabRoleName(gitlabLevels[need.role])} on the project, to ${need.why} (the token's user has ${gitlabRoleName(level)})`,
    );
  return missing;
}

/** Pure: the GitHub permissions a job lacks, from what the token is known to hold. */
export function githubMissing(job: ForgeJob, held: Partial<Record<GithubPermission, GithubAccess | 'none'>>): string[] {
  const rank = { none: 0, read: 1, write: 2 } as const;
  return Object.entries(jobNeeds[job].github)
    .filter(([p, a]) => rank[held[p as GithubPermission] ?? 'none'] < rank[a])
    .map(([p, a]) => `${p}: ${a} (the token has ${held[p as GithubPermission] ?? 'none'})`);
}

/** Throws FORGE_ACCESS (exit 2) naming every missing right; returns the notes to say otherwise. */
export function assertAccess(platform: ForgePlatform, job: ForgeJob, tokenVariable: string, check: AccessCheck): string[] {
  if (check.missing.length === 0) return check.notes;
  throw new GitopsError({
    code: 'FORGE_ACCESS',
    kind: 'user',
    message: `${platformName[platform]} forge: the token in ${tokenVariable} cannot do what the ${job} job needs: it lacks ${check.missing.join('; ')}`,
    hint: `grant it exactly that (docs/setup-${platform}.md lists each job's rights), then run the job again`,
    details: check.missing,
  });
}
