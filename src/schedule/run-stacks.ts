import { type StackResult, skippedResult } from '../engine/result.js';
import type { Plan } from './plan.js';
import type { RunContext } from './run-context.js';
import { schedule } from './scheduler.js';

/**
 * Runs a preview, up or destroy plan: dependents after what they depend on, independents in
 * parallel. `gate` may refuse a stack before it runs (e.g. missing approvals): it is then
 * skipped with that reason, and its dependents with it.
 */
export function runPlan(plan: Plan, run: RunContext, gate?: (name: string) => string | undefined): Promise<StackResult[]> {
  const { engine, catalog, sink, signal, message, commit } = run;
  return schedule(
    plan.stacks,
    async (name) => {
      const refusal = gate?.(name);
      if (refusal) return skippedResult(name, plan.operation, refusal);
      return engine.run({ stack: catalog.byName.get(name)!, operation: plan.operation, signal, message, commit }, sink);
    },
    { concurrency: run.concurrency, signal, skipped: (name, reason) => skippedResult(name, plan.operation, reason) },
  );
}
