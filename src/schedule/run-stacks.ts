import { type StackResult, skippedResult } from '../engine/result.js';
import type { Plan } from './plan.js';
import type { RunContext } from './run-context.js';
import { schedule } from './scheduler.js';

/** Why a stack is held back before it runs; `benign` when that is by design, not a failure. */
export type Refusal = string | { reason: string; benign: true };

/**
 * Runs a preview, up or destroy plan: dependents after what they depend on, independents in
 * parallel. `gate` may refuse a stack before it runs (e.g. missing approvals): it is then
 * skipped with that reason, and its dependents with it.
 */
export function runPlan(plan: Plan, run: RunContext, gate?: (name: string) => Refusal | undefined): Promise<StackResult[]> {
  const { engine, catalog, sink, signal, message, commit } = run;
  return schedule(
    plan.stacks,
    async (name) => {
      const refusal = gate?.(name);
      if (typeof refusal === 'string') return skippedResult(name, plan.operation, refusal);
      if (refusal) return skippedResult(name, plan.operation, refusal.reason, true);
      return engine.run({ stack: catalog.byName.get(name)!, operation: plan.operation, signal, message, commit }, sink);
    },
    {
      concurrency: run.concurrency,
      signal,
      // A stack held back by design stays so when the scheduler skips it first (its dependency was held back too).
      skipped: (name, reason) => {
        const refusal = gate?.(name);
        return typeof refusal === 'object'
          ? skippedResult(name, plan.operation, refusal.reason, true)
          : skippedResult(name, plan.operation, reason);
      },
    },
  );
}
