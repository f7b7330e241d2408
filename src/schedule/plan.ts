import type { Operation } from '../engine/result.js';
import { topologicalWaves } from '../stacks/graph.js';
import type { StackCatalog } from '../stacks/load.js';

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

/**
 * The planned stacks a stack must wait for: the nearest ones it reaches through `dependsOn`,
 * walking through stacks outside the plan, so `--stack app --stack network` still orders
 * network before app when app reaches it only through db.
 */
function plannedDependencies(catalog: StackCatalog, chosen: ReadonlySet<string>, name: string): string[] {
  const found = new Set<string>();
  const seen = new Set<string>([name]);
  const queue = [...(catalog.byName.get(name)?.dependsOn ?? [])];
  while (queue.length > 0) {
    const dep = queue.shift()!;
    if (seen.has(dep)) continue;
    seen.add(dep);
    if (chosen.has(dep)) found.add(dep);
    else queue.push(...(catalog.byName.get(dep)?.dependsOn ?? []));
  }
  return [...found].sort();
}

export function buildPlan(
  catalog: StackCatalog,
  names: readonly string[],
  operation: Operation,
  reasons: ReadonlyMap<string, string[]> = new Map(),
): Plan {
  const chosen = new Set(names);
  const after = new Map([...chosen].map((name) => [name, plannedDependencies(catalog, chosen, name)]));
  const waves = topologicalWaves([...chosen].map((name) => ({ name, dependsOn: after.get(name)! })));
  const stacks = waves.flat().map((name) => ({ name, after: after.get(name)!, reasons: reasons.get(name) ?? ['selected'] }));
  return { operation, stacks, waves };
}
