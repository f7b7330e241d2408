import type { GraphNode } from '../stacks/graph.js';

/** A selection grown by its dependencies, with why each added stack is in it. */
export interface WithDependencies {
  /** The selected stacks, then the dependencies they reach (each once). */
  names: string[];
  /** Per added dependency: `dependency of X` for each selected or added stack that depends on it. */
  reasons: Map<string, string[]>;
}

/**
 * `--with-deps`: the selection plus every stack it reaches through dependencies, however
 * deep. Pure; the order among them is the plan's to decide.
 */
export function withDependencies(nodes: readonly GraphNode[], selected: readonly string[]): WithDependencies {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const names = [...new Set(selected)];
  const chosen = new Set(names);
  const reasons = new Map<string, string[]>();
  for (let i = 0; i < names.length; i++) {
    const from = names[i]!;
    for (const dep of [...(byName.get(from)?.dependsOn ?? [])].sort()) {
      if (!byName.has(dep) || (chosen.has(dep) && !reasons.has(dep))) continue;
      const why = reasons.get(dep) ?? [];
      why.push(`dependency of ${from} (--with-deps)`);
      reasons.set(dep, why);
      if (!chosen.has(dep)) {
        chosen.add(dep);
        names.push(dep);
      }
    }
  }
  return { names, reasons };
}

/**
 * The dependencies of the planned stacks that are not planned themselves, as
 * `{stack, dependency}` pairs: what must already be deployed for the plan to run.
 */
export function dependenciesOutside(nodes: readonly GraphNode[], planned: readonly string[]): { stack: string; dependency: string }[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const inPlan = new Set(planned);
  return planned.flatMap((stack) =>
    [...(byName.get(stack)?.dependsOn ?? [])]
      .filter((d) => byName.has(d) && !inPlan.has(d))
      .sort()
      .map((dependency) => ({ stack, dependency })),
  );
}
