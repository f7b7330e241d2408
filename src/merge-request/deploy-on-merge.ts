import { relativeDir } from '../affected/affected-from-changes.js';
import { refuseUncommittedCheckout } from '../affected/checkout-guard.js';
import { type ActionContext, runContextOf, say } from '../api/action-context.js';
import { checkedForge } from '../api/checked-forge.js';
import { asGitopsError } from '../errors/gitops-error.js';
import type { Forge } from '../forge/forge.js';
import { withPolicyChecks } from '../policy/policy-checks.js';
import { planBoundEngine } from '../update-plans/plan-engines.js';
import { requiredApprovals } from './approvals-gate.js';
import { readBaseDefinitions, readDeployedDefinitions, withDeployedDefinitions } from './base-policy.js';
import { checkDeployBranch } from './branch-guard.js';
import type { ChangeScope } from './change-scope.js';
import { type DeployMergedResult, deployMerged, type Landing, updateMessage } from './deploy-merged.js';
import { deployedStanding } from './deployed-standing.js';
import { landingsOf } from './landings.js';
import { type DeployReportInput, reportDeploy } from './report-deploy.js';

export interface DeployOnMergeOptions {
  /** Destroy deleted stacks even if their last definition did not allow it. */
  allowDestroy: boolean;
  /** The deployed ref, when git could not name the head commit. */
  head: string;
  message?: string;
  /** `--plans DIR`: bind each update to its approved merge request preview, stored there. */
  plans?: string;
}

/**
 * The branch guard of deploy on merge: deploys run only on the default branch, for a commit
 * reachable from it. Runs before anything else, `--plan` included.
 */
export async function guardDeployBranch(ctx: ActionContext, head: string, options: { forceable?: boolean } = {}): Promise<void> {
  await checkDeployBranch(ctx.git, {
    branch: ctx.ci.branch,
    defaultBranch: ctx.ci.defaultBranch,
    head: await ctx.git.revParse(head),
    forceable: options.forceable,
  });
}

/**
 * Deploy only what was checked: the working tree must be the commit that is recorded as deployed,
 * so uncommitted changes to tracked files are refused, and so are untracked files under the stacks
 * and programs folders or among the root settings (an untracked stack file or program would run
 * and be recorded under a commit that does not hold it), and a `head` that is not the checked-out
 * commit (the stack files and programs are read from the working tree). `--force` does not skip this.
 */
export async function guardDeployCheckout(ctx: ActionContext, head?: string): Promise<void> {
  await refuseUncommittedCheckout(ctx, deployRefusal, head);
}

const deployRefusal = {
  code: 'DEPLOY_REFUSED',
  what: 'deploy refused',
  run: 'deploy',
  why: 'deploy runs the checked-out commit and records it as deployed',
} as const;

/**
 * For `deploy --all` / `--stack`: in a git repository, refuses a dirty tree (see
 * {@link guardDeployCheckout}) and returns the update message recording the deployed commit, so
 * that drift remediation can tell what was deployed. Outside git there is nothing to check.
 */
export async function selectionDeployMessage(ctx: ActionContext, message: string | undefined): Promise<string | undefined> {
  const commit = await ctx.git.revParse('HEAD').catch(() => undefined);
  if (commit === undefined) return message;
  await guardDeployCheckout(ctx);
  return message ?? updateMessage(commit, undefined, ctx.ci.pipelineUrl);
}

/** The forge, or undefined with a warning when approvals cannot be checked without one. */
export async function optionalForge(ctx: ActionContext, scope: ChangeScope): Promise<Forge | undefined> {
  let forge: Forge;
  try {
    forge = await ctx.forge();
  } catch (err) {
    // Approvals may come from the base definitions, so any gated or destroyed stack warrants the warning.
    if (scope.catalog.stacks.some((s) => requiredApprovals(s) > 0) || scope.affected.stacks.some((s) => s.previous))
      say(ctx, `warning: approvals cannot be checked: ${asGitopsError(err).message}`, 'warning');
    return undefined;
  }
  // A forge that is there must let the job do all it needs: refused at start, exit 2.
  return checkedForge({ forge: async () => forge, sink: ctx.sink }, 'deploy');
}

/**
 * What a push of several merges landed: each first-parent commit since the merge-base and the
 * stacks it changed directly (its own affected computation), so that each protected stack is
 * checked against the merge requests that changed it, not only the last one. Undefined for a
 * push of one commit: that commit changed every affected stack.
 */
async function landedChanges(ctx: ActionContext, scope: ChangeScope): Promise<Landing[] | undefined> {
  const { mergeBase, head } = scope.affected;
  if (!mergeBase || !head) return undefined;
  const commits = await ctx.git.firstParentCommits(mergeBase, head);
  if (commits.length <= 1) return undefined;
  return landingsOf(ctx, mergeBase, commits);
}

/**
 * `gitops deploy --base REF` after a merge: the affected stacks deploy in dependency order,
 * protected stacks only with their approvals, deleted stacks are destroyed where allowed.
 */
export async function deployOnMerge(ctx: ActionContext, scope: ChangeScope, options: DeployOnMergeOptions): Promise<DeployMergedResult> {
  const { affected, catalog } = scope;
  // The packs in force before the merge govern it: a merged change cannot lower them for its own deploy.
  const opened = await withPolicyChecks(
    ctx,
    await ctx.engine(affected.stacks.flatMap((s) => catalog.byName.get(s.name) ?? [])),
    affected.stacks.map((s) => s.name),
    { enforced: affected.base ?? undefined },
  );
  const commit = affected.head ?? (await ctx.git.revParse(options.head));
  const engine = options.plans ? await planBoundEngine(ctx, opened, options.plans, commit) : opened;
  const stacksDir = relativeDir(ctx.layout, ctx.layout.stacksDir);
  const read = await readBaseDefinitions(ctx.git, affected, ctx.catalog, stacksDir);
  // Where a stack last deployed another commit than the base, the stricter of the two definitions governs.
  const standing = deployedStanding(ctx.git, ctx.ci.defaultBranch, commit);
  const deployed = await readDeployedDefinitions(ctx.git, engine, affected, ctx.catalog, {
    stacksDir,
    standing,
    concurrency: ctx.concurrency,
  });
  const base = withDeployedDefinitions(read, deployed, ctx.catalog);
  const landings = await landedChanges(ctx, scope);
  const forge = await optionalForge(ctx, scope);
  const result = await deployMerged(affected, runContextOf(ctx, engine, { catalog, message: options.message }), {
    forge,
    allowDestroy: options.allowDestroy,
    commit,
    pipelineUrl: ctx.ci.pipelineUrl,
    base,
    landings,
  });
  await reportDeployed(ctx, forge, { results: result.results, commit, commits: landings?.map((l) => l.commit) ?? [commit] });
  return result;
}

/**
 * Deploy reports back (statuses, the MR comment); never changes the deploy's outcome. Without a
 * forge nothing is sent, with a warning in CI (where one was expected).
 */
export async function reportDeployed(ctx: ActionContext, known: Forge | undefined, input: DeployReportInput): Promise<void> {
  let forge = known;
  if (!forge) {
    try {
      forge = await ctx.forge();
    } catch (err) {
      if (ctx.ci.pipelineUrl) say(ctx, `warning: deploy report not sent: ${asGitopsError(err).message}`, 'warning');
      return;
    }
  }
  await reportDeploy(forge, input, ctx.redact, (message) => say(ctx, `warning: ${message}`, 'warning'));
}
