import type { Engine } from '../engine/engine.js';
import type { ProgressSink } from '../engine/progress.js';
import type { StackResult } from '../engine/result.js';
import type { Plan } from '../plan/plan.js';
import type { StackCatalog } from '../stacks/load.js';
import { schedule } from './scheduler.js';

export interface RunOptions {
  engine: Engine;
  catalog: StackCatalog;
  sink: ProgressSink;
  concurrency: number;
  signal?: AbortSignal;
  message?: string;
}

/** Runs a preview, up or destroy plan: dependents after what they depend on, independents in parallel. */
export function runPlan(plan: Plan, options: RunOptions): Promise<StackResult[]> {
  const { engine, catalog, sink, signal, message } = options;
  return schedule(
    plan.stacks,
    (name) => engine.run({ stack: catalog.byName.get(name)!, operation: plan.operation, signal, message }, sink),
    { operation: plan.operation, concurrency: options.concurrency, signal },
  );
}
