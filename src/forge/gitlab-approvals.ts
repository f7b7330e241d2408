import type { Approvals, ForgeUser, IgnoredApproval } from './forge.js';
import { isBot, sameUser } from './identity.js';

/*
 * What GitLab can and cannot guarantee about approvals.
 *
 * GitLab records who approved a merge request (`approved_by`), never which commit they
 * approved: an approval is not tied to a SHA. Whether an approval still stands after new
 * commits depends on the project setting "Remove all approvals when commits are added to the
 * source branch" (`reset_approvals_on_push`, read with GET /projects/:id/approvals). That
 * setting and that endpoint are GitLab Premium/Ultimate.
 *
 * - Premium/Ultimate with reset_approvals_on_push: every approval still standing at merge was
 *   given after the last push, so it covers the merged code. We count it (rules below).
 * - GitLab Free, or a project that keeps approvals on push, or a token that cannot read the
 *   setting: nothing shows an approval came after the last push, so an approval of harmless
 *   code can carry a later, harmful push. We fail closed: no approval counts (`unverifiable`).
 *   The other checks below still run and are reported.
 *
 * On every tier an approval counts only from a member with access level Developer (30) or more
 * (GET /projects/:id/members/all/:user_id), who is not the MR's author, not the user behind our
 * token, not a bot (project/group access token users, `bot: true` in GET /users/:id), and wrote
 * none of it: GitLab lists the MR's commits by author and committer name and email, never by
 * user, so an approver whose username, display name or public email matches any of them is not
 * counted. GitLab's own "Prevent approvals by users who add commits"
 * (`merge_requests_disable_committers_approval`) does the same on its side; turn it on.
 */

/** GitLab's Developer role: the least access that may push, and so may approve here. */
export const DEVELOPER_ACCESS_LEVEL = 30;

/** The parts of GET /projects/:id/merge_requests/:iid/approvals we read; Free has no approvals_required/left. */
export interface GitlabApprovalState {
  approved?: boolean;
  approvals_required?: number;
  approvals_left?: number;
  approved_by?: { user: { id: number; username: string } }[];
}

/** What {@link gitlabApprovals} asks the API; undefined answers mean "not available" (404/403). */
export interface GitlabApprovalDeps {
  author?: ForgeUser;
  self: ForgeUser;
  approvals(): Promise<GitlabApprovalState>;
  /** GET /projects/:id/approvals; undefined on GitLab Free (or without access). */
  projectSettings(): Promise<{ reset_approvals_on_push?: boolean } | undefined>;
  /** Access level of a member, inherited ones included; undefined for a non-member. */
  accessLevel(userId: number): Promise<number | undefined>;
  /** GET /users/:id: `bot`, the display name and the public email. */
  userFacts(userId: number): Promise<{ bot: boolean; name?: string; publicEmail?: string }>;
  /** The names and emails of the authors and committers of the MR's commits (GET .../merge_requests/:iid/commits). */
  commitPeople(): Promise<{ names: string[]; emails: string[] }>;
}

/** Who wrote the MR's commits, as GitLab lists them: by name and email (lower case), never by user. */
interface CommitPeople {
  names: ReadonlySet<string>;
  emails: ReadonlySet<string>;
}

const NO_COMMIT = 'approvals on GitLab carry no commit';

/** Why no approval can be tied to the merged code, or undefined when reset on push makes it so. */
export function unverifiableBecause(settings: { reset_approvals_on_push?: boolean } | undefined): string | undefined {
  if (settings === undefined) {
    return `${NO_COMMIT}, and the project's approval settings cannot be read (GitLab Free, or a token without access), so nothing shows an approval was given after the last push`;
  }
  if (settings.reset_approvals_on_push !== true) {
    return `${NO_COMMIT}, and this project keeps approvals when commits are added (turn on "Remove all approvals when commits are added to the source branch")`;
  }
  return undefined;
}

async function ineligibleBecause(
  user: ForgeUser & { id: number },
  deps: GitlabApprovalDeps,
  wrote: CommitPeople,
): Promise<string | undefined> {
  if (sameUser(user, deps.self)) return 'the user behind our token';
  if (sameUser(user, deps.author)) return 'the author of the merge request';
  const facts = await deps.userFacts(user.id);
  const names = [user.username, facts.name].flatMap((n) => (n ? [n.toLowerCase()] : []));
  if (names.some((n) => wrote.names.has(n)) || (facts.publicEmail !== undefined && wrote.emails.has(facts.publicEmail.toLowerCase())))
    return 'an author or committer of its commits';
  if (isBot(user.username) || facts.bot) return 'a bot';
  const level = await deps.accessLevel(user.id);
  if (level === undefined) return 'not a member of the project';
  if (level < DEVELOPER_ACCESS_LEVEL) return `access level ${level}, below Developer (${DEVELOPER_ACCESS_LEVEL})`;
  return undefined;
}

/** The approvals of one GitLab merge request, counting only those we can trust (see above). */
export async function gitlabApprovals(deps: GitlabApprovalDeps): Promise<Approvals> {
  const state = await deps.approvals();
  const unverifiable = unverifiableBecause(await deps.projectSettings());
  const approvers: string[] = [];
  const ignored: IgnoredApproval[] = [];
  const people = (state.approved_by ?? []).length > 0 ? await deps.commitPeople() : { names: [], emails: [] };
  const lower = (list: readonly string[]) => new Set(list.map((x) => x.toLowerCase()));
  const wrote = { names: lower(people.names), emails: lower(people.emails) };
  for (const { user } of state.approved_by ?? []) {
    const reason = await ineligibleBecause({ id: user.id, username: user.username }, deps, wrote);
    if (reason) ignored.push({ user: user.username, reason });
    else approvers.push(user.username);
  }
  // `approved` is in every GitLab reply but missing from gitbeaker's type; approvals_left is the fallback.
  const platformApproved = typeof state.approved === 'boolean' ? state.approved : (state.approvals_left ?? 0) === 0;
  const required = typeof state.approvals_required === 'number' ? state.approvals_required : undefined;
  return {
    approved: unverifiable === undefined && platformApproved && approvers.length > 0,
    approvers,
    ...(required !== undefined ? { required } : {}),
    ignored,
    ...(unverifiable ? { unverifiable } : {}),
  };
}
