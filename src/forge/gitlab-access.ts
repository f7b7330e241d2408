import { type AccessCheck, type ForgeJob, gitlabMissing } from './access.js';

/** The calls the GitLab access check makes, each answering undefined where GitLab says "not found". */
export interface GitlabAccessProbe {
  /** The token user's access level on the project (members.md "all" members, inherited included); undefined: not a member. */
  accessLevel(): Promise<number | undefined>;
  /** The token's scopes (personal_access_tokens.md "Get single personal access token": `self`); undefined: not readable. */
  scopes(): Promise<string[] | undefined>;
  /** Whether approvals reset on push (Premium); undefined on GitLab Free (404). Asked for the deploy job only. */
  resetApprovalsOnPush(): Promise<boolean | undefined>;
}

/**
 * The GitLab access check of a job: role and scope, and, for the deploy job, whether approvals
 * can be tied to the merged code at all on this project's tier and settings.
 */
export async function gitlabAccess(job: ForgeJob, probe: GitlabAccessProbe): Promise<AccessCheck> {
  const [level, scopes] = await Promise.all([probe.accessLevel(), probe.scopes()]);
  const missing = gitlabMissing(job, level, scopes);
  const notes: string[] = [];
  if (scopes === undefined)
    notes.push("the token's scopes could not be read (GET /personal_access_tokens/self): it must have the api scope");
  if (job === 'deploy' && missing.length === 0) {
    const reset = await probe.resetApprovalsOnPush();
    if (reset === undefined)
      notes.push(
        'GitLab Free has no approval settings: an approval cannot be tied to the merged commit, so every approval-gated stack is refused (GitLab Premium with "reset approvals on push" lifts this)',
      );
    else if (!reset)
      notes.push(
        'approvals do not reset on push on this project: an approval cannot be tied to the merged commit, so every approval-gated stack is refused (turn on "Remove all approvals when commits are added to the source branch")',
      );
  }
  return { missing, notes };
}
