import type { Operation } from '../engine/result.js';
import type { StackCatalog } from '../stacks/load.js';
import { topologicalWaves } from '../stacks/graph.js';

/** One stack in a plan, with the planned stacks it must wait for. */
export interface PlannedStack {
  name: string;
  /** Dependencies that are part of this plan: this stack runs after them, and is skipped if one fails. */
  after: string[];
  /** Why the stack is in the plan (selected, affected by a change, a dependent of one...). */
  reasons: string[];
}

/**
 * The plan is data: which stacks, in which order, and why. It is computed purely from the
 * catalogue and printed with `--plan`; running it is a separate step.
 */
export interface Plan {
  operation: Operation;
  stacks: PlannedStack[];
  /** Stacks grouped in waves; a wave depends only on earlier waves. */
  waves: string[][];
}

export function buildPlan(catalog: StackCatalog, names: readonly string[], operation: Operation, reasons: ReadonlyMap<string, string[]> = new Map()): Plan {
  const chosen = new Set(names);
  const nodes = [...chosen].map((name) => ({ name, dependsOn: catalog.byName.get(name)?.dependsOn ?? [] }));
  const waves = topologicalWaves(nodes);
  const order = waves.flat();
  const stacks = order.map((name) => ({
    name,
    after: (catalog.byName.get(name)?.dependsOn ?? []).filter((d) => chosen.has(d)).sort(),
    reasons: reasons.get(name) ?? ['selected'],
  }));
  return { operation, stacks, waves };
}
