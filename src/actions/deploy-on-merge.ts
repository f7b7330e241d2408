import { asGitopsError } from '../errors/gitops-error.js';
import type { Forge } from '../forge/forge.js';
import { requiredApprovals } from '../merge-request/approvals-gate.js';
import { checkDeployBranch } from '../merge-request/branch-guard.js';
import { deployMerged, type DeployMergedResult } from '../merge-request/deploy-merged.js';
import { say, type ActionContext } from './action-context.js';
import type { ChangeScope } from './affected.js';

export interface DeployOnMergeOptions {
  /** Destroy deleted stacks even if their last definition did not allow it. */
  allowDestroy: boolean;
  /** The deployed ref, when git could not name the head commit. */
  head: string;
  message?: string;
}

/**
 * The branch guard of deploy on merge: deploys run only on the default branch, for a commit
 * reachable from it. Runs before anything else, `--plan` included.
 */
export async function guardDeployBranch(ctx: ActionContext, head: string): Promise<void> {
  await checkDeployBranch(ctx.git, { branch: ctx.ci.branch, defaultBranch: ctx.ci.defaultBranch, head: await ctx.git.revParse(head) });
}

/** The forge, or undefined with a warning when approvals cannot be checked without one. */
async function optionalForge(ctx: ActionContext, scope: ChangeScope): Promise<Forge | undefined> {
  try {
    return await ctx.forge();
  } catch (err) {
    if (scope.catalog.stacks.some((s) => requiredApprovals(s) > 0)) say(ctx, `warning: approvals cannot be checked: ${asGitopsError(err).message}`, 'warning');
    return undefined;
  }
}

/**
 * `gitops deploy --base REF` after a merge: the affected stacks deploy in dependency order,
 * protected stacks only with their approvals, deleted stacks are destroyed where allowed.
 */
export async function deployOnMerge(ctx: ActionContext, scope: ChangeScope, options: DeployOnMergeOptions): Promise<DeployMergedResult> {
  const { affected, catalog } = scope;
  const engine = await ctx.engine(affected.stacks.flatMap((s) => catalog.byName.get(s.name) ?? []));
  const commit = affected.head ?? (await ctx.git.revParse(options.head));
  return deployMerged(
    affected,
    { engine, catalog, sink: ctx.sink, concurrency: ctx.concurrency, signal: ctx.signal, message: options.message },
    { forge: await optionalForge(ctx, scope), allowDestroy: options.allowDestroy, commit, pipelineUrl: ctx.ci.pipelineUrl },
  );
}

export async function guardDeployCheckout(_ctx: ActionContext, _head: string): Promise<void> {}
