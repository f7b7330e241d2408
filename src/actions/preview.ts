import type { ActionContext } from '../api/action-context.js';
import { resolveBackendUrl } from '../backend/backend-url.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { ChangeScope } from '../merge-request/change-scope.js';
import { type MergeRequestPreview, previewMergeRequest } from '../merge-request/preview-merge-request.js';
import type { RepoLayout } from '../repo/layout.js';

/** Whether this job runs for a merge request (GitLab) or a pull request (GitHub). */
export function inMergeRequestJob(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI_MERGE_REQUEST_IID) || env.GITHUB_EVENT_NAME === 'pull_request' || env.GITHUB_EVENT_NAME === 'pull_request_target';
}

/**
 * At the start of a merge request job: the state must not be writable from here (the MR's
 * program runs with this job's credentials and could rewrite a stack's deploy record). The
 * warning to print when a write probe succeeds; undefined otherwise. Never fails the preview.
 */
export async function stateWritableWarning(env: NodeJS.ProcessEnv, layout: RepoLayout): Promise<string | undefined> {
  if (!inMergeRequestJob(env)) return undefined;
  let backendUrl: string;
  try {
    backendUrl = resolveBackendUrl(layout, env);
  } catch {
    return undefined; // The engine refuses the same backend with its own message, before anything runs.
  }
  const { probeStateWrite } = await import('../state-lock/write-probe.js');
  const probe = await probeStateWrite(backendUrl);
  if (probe.writable !== true) return undefined;
  return (
    `WARNING: this merge request job can write the state backend (a probe wrote ${probe.where}). ` +
    "The merge request's own code runs here and could rewrite a stack's deploy record; give merge request jobs read-only access to the state."
  );
}

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

/**
 * `gitops preview --base`: the affected stacks previewed as the protected side allows, and the
 * merge request's comment kept up to date with `comment`. `warn` hears, before anything runs,
 * that a merge request job can write the state.
 */
export async function previewChange(
  ctx: ActionContext,
  env: NodeJS.ProcessEnv,
  scope: ChangeScope,
  options: { comment: boolean; savePlans?: string; head?: string; warn: (line: string) => void },
): Promise<MergeRequestPreview> {
  const writable = await stateWritableWarning(env, ctx.layout);
  if (writable) options.warn(writable);
  const { warn, ...preview } = options;
  return previewMergeRequest(ctx, scope, preview);
}
