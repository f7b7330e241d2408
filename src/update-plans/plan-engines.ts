import { refuseUncommittedCheckout } from '../affected/checkout-guard.js';
import type { ActionContext } from '../api/action-context.js';
import type { Engine } from '../engine/engine.js';
import { bindingPlans } from './bind-plans.js';
import { PlanStore } from './plan-store.js';
import { savingPlans } from './save-plans.js';

/**
 * The engine of `preview --save-plans DIR`. A plan is recorded against the checked-out commit's
 * tree, so the checkout must be exactly that commit (see `refuseUncommittedCheckout`): anything
 * else is refused (exit 2) before anything runs.
 */
export async function planSavingEngine(
  ctx: Pick<ActionContext, 'git' | 'layout' | 'clock'>,
  engine: Engine,
  dir: string,
  head?: string,
): Promise<Engine> {
  const commit = await refuseUncommittedCheckout(
    ctx,
    { code: 'USAGE', what: '--save-plans', run: 'preview', why: 'a saved plan is bound to the checked-out commit and its tree' },
    head,
  );
  return savingPlans(engine, PlanStore.at(dir, 'save-plans', true), { commit, tree: await ctx.git.treeOf(commit), clock: ctx.clock });
}

/** The engine of `deploy --plans DIR`: every `up` and destroy bound to its approved preview (see `bindingPlans`). */
export async function planBoundEngine(ctx: Pick<ActionContext, 'git'>, engine: Engine, dir: string, commit: string): Promise<Engine> {
  const store = PlanStore.at(dir, 'plans');
  return bindingPlans(engine, store, await store.loadAll(), { commit, tree: await ctx.git.treeOf(commit) });
}
