import { type ActionContext, runContextOf } from '../api/action-context.js';
import type { Operation, StackResult } from '../engine/result.js';
import { userError } from '../errors/gitops-error.js';
import { mapLimit } from '../lib/map-limit.js';
import type { Shard } from '../lib/shard-spec.js';
import { checkForwardOnly } from '../merge-request/deployed-standing.js';
import { withPolicyChecks } from '../policy/policy-checks.js';
import { buildPlan, type Plan } from '../schedule/plan.js';
import { runPlan } from '../schedule/run-stacks.js';
import { type Selection, selectStacks } from '../schedule/select.js';
import { shardStacks } from '../schedule/shard.js';
import { withDependencies } from '../schedule/with-dependencies.js';
import type { StackCatalog } from '../stacks/load.js';
import { planBoundEngine } from '../update-plans/plan-engines.js';
import { withSelectionGraph } from './graph.js';
import { previewHolds, refuseUndeployedDependencies } from './undeployed-dependencies.js';

export type OperateCommand = 'preview' | 'deploy';

export interface OperateRequest {
  command: OperateCommand;
  selection: Selection;
  shard?: Shard;
  message?: string;
  /** `--with-deps`: the selected stacks' dependencies join the selection. */
  withDeps?: boolean;
}

/** The operation each command runs on every selected stack. */
export const operationOf: Record<OperateCommand, Operation> = { preview: 'preview', deploy: 'up' };

/** Which stacks, in which order, and why: pure, printed by `--plan`. */
export function planOperate(catalog: StackCatalog, request: OperateRequest): Plan {
  let names = selectStacks(catalog, request.selection);
  let reasons = new Map<string, string[]>();
  if (request.withDeps) ({ names, reasons } = withDependencies(catalog.stacks, names));
  if (request.shard) names = shardStacks(catalog.stacks, names, request.shard);
  return buildPlan(catalog, names, operationOf[request.command], reasons);
}

/** A selection's plan, and the context it runs in (with `--stack`, StackReferences are dependencies too; see `withSelectionGraph`). */
export function planSelection(ctx: ActionContext, request: OperateRequest): { ctx: ActionContext; plan: Plan } {
  const selected = withSelectionGraph(ctx, request.selection);
  return { ctx: selected, plan: planOperate(selected.catalog, request) };
}

/** How `operate` runs its plan. */
export interface OperateOptions {
  /** The update message. */
  message?: string;
  /** Stacks refused (missing approvals), with why: skipped with their dependents. */
  refusals?: ReadonlyMap<string, string>;
  /** The checked-out commit a deploy records on each stack it updates (outside git: none). */
  commit?: string;
  /** `deploy --plans DIR`: each update bound to its approved merge request preview (needs the commit). */
  plans?: string;
}

/**
 * `gitops preview` and `gitops deploy` by selection: runs the plan in dependency order.
 * Deploy runs only the selected stacks (their dependencies too with `--with-deps`), ordered by
 * `dependsOn`; a dependency left out that was never deployed refuses the run before anything
 * runs. `refusals` (missing approvals) skip a stack and its dependents; a preview holds back a
 * stack whose planned dependency was never deployed.
 */
export async function operate(ctx: ActionContext, plan: Plan, options: OperateOptions = {}): Promise<StackResult[]> {
  const { message, refusals = new Map<string, string>(), commit, plans } = options;
  // Packs as committed where a commit deploys; a local run checks the working tree's.
  const opened = await withPolicyChecks(
    ctx,
    await ctx.engine(plan.stacks.map((s) => ctx.catalog.byName.get(s.name)!)),
    plan.stacks.map((s) => s.name),
    { enforced: commit },
  );
  if (plans !== undefined && commit === undefined)
    throw userError('USAGE', '--plans needs a git repository: plans are bound to the commit they previewed');
  const engine = plans !== undefined && commit !== undefined ? await planBoundEngine(ctx, opened, plans, commit) : opened;
  if (plan.operation === 'up' && commit !== undefined) {
    // Forward only: an older checkout never moves a stack back from the commit it runs.
    const defs = plan.stacks.map((s) => ctx.catalog.byName.get(s.name)!);
    const commits = await mapLimit(defs, ctx.concurrency, (d) => engine.lastDeployedCommit(d));
    await checkForwardOnly(
      ctx.git,
      ctx.ci.defaultBranch,
      defs.map((d, i) => ({ name: d.name, commit: commits[i] })),
      commit,
    );
  }
  await refuseUndeployedDependencies(ctx.catalog, engine, plan);
  const holds = await previewHolds(ctx.catalog, engine, plan);
  const run = runContextOf(ctx, engine, { message, commit });
  return runPlan(plan, run, (name) => refusals.get(name) ?? holds(name));
}
