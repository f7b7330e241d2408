import type { ActionContext } from '../api/action-context.js';
import type { StackResult } from '../engine/result.js';
import { headCommit } from '../git/head-commit.js';
import { affectedStacks, type ChangeRequest, type ChangeScope } from '../merge-request/change-scope.js';
import { deployOnMerge, guardDeployBranch, guardDeployCheckout, selectionDeployMessage } from '../merge-request/deploy-on-merge.js';
import {
  type DeploySinceDeployedOptions,
  type DeploySinceDeployedResult,
  deploySinceDeployed,
  planSinceDeployed,
  type SinceDeployedScope,
} from '../merge-request/since-deployed.js';
import type { Plan } from '../schedule/plan.js';
import { type EngineHost, recordsFirstEngine } from './open-engine.js';
import { operate } from './operate.js';
import { type ApprovalOverride, overrideMessage, selectionRefusals } from './selection-approvals.js';

/** What a deploy ran, and the commit it recorded as deployed (none outside git). */
export interface DeployRun {
  results: StackResult[];
  commit?: string;
}

/**
 * `gitops deploy --stack/--all`: the plan's stacks deployed from a clean checkout, the commit
 * recorded; stacks whose approvals are missing are refused unless `override` gives the reason.
 */
export async function deploySelection(
  ctx: ActionContext,
  plan: Plan,
  options: { message?: string; override?: ApprovalOverride; plans?: string },
): Promise<DeployRun> {
  const { override } = options;
  const message = overrideMessage(await selectionDeployMessage(ctx, options.message), override);
  const commit = await headCommit(ctx.git, ctx.layout.root);
  const refusals = await selectionRefusals(ctx, plan, override);
  const results = await operate(ctx, plan, { message, refusals, commit, plans: options.plans });
  return { results, ...(commit ? { commit } : {}) };
}

/** `ctx` whose engine reads deploy records first, opening the real engine only when a stack runs. */
export function recordsFirst(ctx: ActionContext, host: EngineHost): ActionContext {
  return { ...ctx, engine: async (stacks, options) => recordsFirstEngine(host, ctx.layout, stacks, options) };
}

/** `deploy --since-deployed --plan`: on the default branch only, what would be deployed and why. */
export async function sinceDeployedPlan(ctx: ActionContext): Promise<SinceDeployedScope> {
  await guardDeployBranch(ctx, 'HEAD');
  return planSinceDeployed(ctx);
}

/**
 * `gitops deploy --since-deployed`, what the CI templates run on the default branch: each stack
 * whose inputs changed since its own deployed commit, from a clean checkout of that branch.
 */
export async function deployLanded(ctx: ActionContext, options: DeploySinceDeployedOptions): Promise<DeploySinceDeployedResult> {
  await guardDeployBranch(ctx, 'HEAD');
  await guardDeployCheckout(ctx, 'HEAD');
  return deploySinceDeployed(ctx, options);
}

/**
 * `deploy --base`: the stacks the merged change affects. The branch guard runs first (`--plan`
 * included); `force` skips it.
 */
export async function mergedScope(ctx: ActionContext, request: ChangeRequest & { head: string; force?: boolean }): Promise<ChangeScope> {
  const { force, ...change } = request;
  if (!force) await guardDeployBranch(ctx, change.head, { forceable: true });
  return affectedStacks(ctx, change);
}

/** `deploy --base`: the merged change's stacks deployed from a clean checkout of `head`. */
export async function deployMerged(
  ctx: ActionContext,
  scope: ChangeScope,
  options: { head: string; allowDestroy: boolean; message?: string; plans?: string },
): Promise<DeployRun> {
  await guardDeployCheckout(ctx, options.head);
  const { results } = await deployOnMerge(ctx, scope, options);
  const commit = scope.affected.head ?? (await ctx.git.revParse(options.head).catch(() => undefined));
  return { results, ...(commit ? { commit } : {}) };
}
