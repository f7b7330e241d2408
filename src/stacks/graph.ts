/** The stack dependency graph: pure functions over `{name, dependsOn}` nodes. */
export interface GraphNode {
  name: string;
  dependsOn: readonly string[];
}

/**
 * Every cycle, as the list of stacks in it (strongly connected components of more than one
 * stack). Deterministic: names sorted, each cycle starting at its smallest name.
 */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const edges = new Map(nodes.map((n) => [n.name, [...n.dependsOn].sort()]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(orderCycle(component, edges));
    }
  };
  for (const name of [...edges.keys()].sort()) if (!index.has(name)) visit(name);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Walks the component from its smallest member along edges, so the cycle reads in order. */
function orderCycle(component: string[], edges: Map<string, string[]>): string[] {
  const members = new Set(component);
  const start = [...members].sort()[0]!;
  const path = [start];
  const seen = new Set(path);
  let current = start;
  for (;;) {
    const next = (edges.get(current) ?? []).find((w) => members.has(w) && !seen.has(w));
    if (!next) break;
    path.push(next);
    seen.add(next);
    current = next;
  }
  return path;
}

/**
 * Groups stacks into waves: each wave depends only on earlier ones. Assumes no cycles
 * (validation rejects them). Dependencies outside `nodes` are ignored.
 */
export function topologicalWaves(nodes: readonly GraphNode[]): string[][] {
  const names = new Set(nodes.map((n) => n.name));
  const remaining = new Map(nodes.map((n) => [n.name, new Set(n.dependsOn.filter((d) => names.has(d)))]));
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const ready = [...remaining]
      .filter(([, deps]) => deps.size === 0)
      .map(([n]) => n)
      .sort();
    if (ready.length === 0) throw new Error(`dependency cycle among ${[...remaining.keys()].join(', ')}`);
    for (const n of ready) remaining.delete(n);
    for (const deps of remaining.values()) for (const n of ready) deps.delete(n);
    waves.push(ready);
  }
  return waves;
}

/** `names` plus everything that depends on them, directly or not. */
export function withDependents(nodes: readonly GraphNode[], names: Iterable<string>): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const n of nodes) for (const d of n.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), n.name]);
  const out = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const n = queue.pop()!;
    if (out.has(n)) continue;
    out.add(n);
    queue.push(...(dependents.get(n) ?? []));
  }
  return out;
}
