import { GitopsError } from '../errors/gitops-error.js';

/**
 * Refuses a preview by selection (no `--base`) in a merge request job. Without a base there is
 * no protected side to read: the policy packs, their settings and the stacks' environments
 * would be the merge request's own, so a change could weaken the rules it is checked against.
 * A USAGE error (exit 2), before anything runs.
 */
export function refuseUnprotectedPreview(mergeRequestJob: boolean): void {
  if (!mergeRequestJob) return;
  throw new GitopsError({
    code: 'USAGE',
    kind: 'user',
    message:
      "preview without --base in a merge request job: the merge request's own policy packs, their settings and its " +
      "stacks' environments would be in force, not the target branch's",
    hint: 'preview the merge request against its target branch: gitops preview --base origin/<target branch> (the CI templates do)',
  });
}
