import type { Operation, StackResult } from '../engine/result.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { type Selection, selectStacks } from '../plan/select.js';
import { type Shard, shardStacks } from '../plan/shard.js';
import { runPlan } from '../run/run-stacks.js';
import type { StackCatalog } from '../stacks/load.js';
import type { ActionContext } from './action-context.js';

export type OperateCommand = 'preview' | 'deploy';

export interface OperateRequest {
  command: OperateCommand;
  selection: Selection;
  shard?: Shard;
  message?: string;
}

/** The operation each command runs on every selected stack. */
export const operationOf: Record<OperateCommand, Operation> = { preview: 'preview', deploy: 'up' };

/** Which stacks, in which order, and why: pure, printed by `--plan`. */
export function planOperate(catalog: StackCatalog, request: OperateRequest): Plan {
  let names = selectStacks(catalog, request.selection);
  if (request.shard) names = shardStacks(catalog.stacks, names, request.shard);
  return buildPlan(catalog, names, operationOf[request.command]);
}

/**
 * `gitops preview` and `gitops deploy` by selection: runs the plan in dependency order.
 * Deploy runs only the selected stacks (not their dependencies), ordered by `dependsOn`;
 * `refusals` (missing approvals) skip a stack and its dependents.
 */
export async function operate(
  ctx: ActionContext,
  plan: Plan,
  message?: string,
  refusals: ReadonlyMap<string, string> = new Map(),
): Promise<StackResult[]> {
  const engine = await ctx.engine(plan.stacks.map((s) => ctx.catalog.byName.get(s.name)!));
  const run = { engine, catalog: ctx.catalog, sink: ctx.sink, concurrency: ctx.concurrency, signal: ctx.signal, message };
  return runPlan(plan, run, (name) => refusals.get(name));
}
