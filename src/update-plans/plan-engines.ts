import type { ActionContext } from '../api/action-context.js';
import type { Engine } from '../engine/engine.js';
import { userError } from '../errors/gitops-error.js';
import { bindingPlans } from './bind-plans.js';
import { PlanStore } from './plan-store.js';
import { savingPlans } from './save-plans.js';

/**
 * The engine of `preview --save-plans DIR`. A plan is recorded against the checked-out commit's
 * tree, so the checkout must be exactly that commit: uncommitted changes to tracked files, or a
 * `head` other than the checked-out commit, are refused (exit 2) before anything runs.
 */
export async function planSavingEngine(
  ctx: Pick<ActionContext, 'git' | 'clock'>,
  engine: Engine,
  dir: string,
  head?: string,
): Promise<Engine> {
  const dirty = await ctx.git.trackedChanges();
  if (dirty.length > 0)
    throw userError('USAGE', `--save-plans: the working tree has uncommitted changes to tracked files (${dirty.slice(0, 5).join(', ')})`);
  const commit = await ctx.git.revParse('HEAD');
  if (head !== undefined && (await ctx.git.revParse(head)) !== commit)
    throw userError('USAGE', `--save-plans: --head ${head} is not the checked-out commit (${commit.slice(0, 12)}); check it out first`);
  return savingPlans(engine, PlanStore.at(dir, 'save-plans', true), { commit, tree: await ctx.git.treeOf(commit), clock: ctx.clock });
}

/** The engine of `deploy --plans DIR`: every `up` and destroy bound to its approved preview (see `bindingPlans`). */
export async function planBoundEngine(ctx: Pick<ActionContext, 'git'>, engine: Engine, dir: string, commit: string): Promise<Engine> {
  const store = PlanStore.at(dir, 'plans');
  return bindingPlans(engine, store, await store.loadAll(), { commit, tree: await ctx.git.treeOf(commit) });
}
