import type { Approvals, ForgeUser, IgnoredApproval } from './forge.js';
import { type ReviewRecord, tallyReviews } from './review-tally.js';

/*
 * What GitHub can guarantee about approvals: each review names the commit it was submitted on
 * (`commit_id`), so an approval counts only on the pull request's final head commit, whatever
 * the repository's "dismiss stale approvals" setting. Who may approve comes from the
 * collaborator permission endpoint (write or admin; maintain reads as write), never from
 * `author_association`, which says how someone relates to the repository, not what they may do.
 * Nobody who wrote any of it approves it: the author, and every author and committer of its
 * commits (a writer who pushes to someone else's pull request, then approves, is not counted).
 * GitHub's own committer of web edits and merges (`web-flow`) is nobody.
 */

/** Collaborator permissions that may approve, and whose change requests block. */
const writePermissions = new Set(['write', 'admin']);

/** What {@link githubApprovals} asks the API. */
export interface GithubApprovalDeps {
  /** The pull request's author and final head commit (GET /repos/{o}/{r}/pulls/{n}). */
  pull(): Promise<{ author?: string; headSha: string }>;
  reviews(): Promise<ReviewRecord[]>;
  /** Logins of the authors and committers of the pull request's commits (GET /repos/{o}/{r}/pulls/{n}/commits). */
  committers(): Promise<string[]>;
  self: ForgeUser;
  /** `permission` of a login: admin, write, read or none. */
  permission(login: string): Promise<string>;
}

/** The approvals of one pull request, counting only those we can trust (see above). */
export async function githubApprovals(deps: GithubApprovalDeps): Promise<Approvals> {
  const pr = await deps.pull();
  const facts = { author: pr.author, headSha: pr.headSha, self: deps.self, committers: await deps.committers() };
  const tally = tallyReviews(await deps.reviews(), facts);
  const ignored: IgnoredApproval[] = [...tally.ignored];
  const approvers: string[] = [];
  for (const login of tally.approving) {
    const permission = await deps.permission(login);
    if (writePermissions.has(permission)) approvers.push(login);
    else ignored.push({ user: login, reason: `no write access (permission ${permission})` });
  }
  const changesRequestedBy: string[] = [];
  for (const login of tally.requestingChanges) if (writePermissions.has(await deps.permission(login))) changesRequestedBy.push(login);
  return { approved: approvers.length > 0 && changesRequestedBy.length === 0, approvers, changesRequestedBy, ignored };
}
