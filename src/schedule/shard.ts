import type { Shard } from '../lib/shard-spec.js';
import type { GraphNode } from '../stacks/graph.js';

/**
 * Splits stacks across N parallel CI jobs while respecting dependencies: stacks connected by
 * `dependsOn` (in either direction) always land in the same shard, so a job never waits on
 * another. Groups are dealt largest first to the least loaded shard; the result is the same
 * on every job, so the shards cover every stack exactly once.
 */
export function shardStacks(nodes: readonly GraphNode[], names: readonly string[], shard: Shard): string[] {
  if (shard.count === 1) return [...names];
  const chosen = new Set(names);
  const parent = new Map([...chosen].map((n) => [n, n]));
  const find = (n: string): string => {
    let root = n;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(n, root);
    return root;
  };
  for (const node of nodes) {
    if (!chosen.has(node.name)) continue;
    for (const dep of node.dependsOn) {
      if (!chosen.has(dep)) continue;
      const [a, b] = [find(node.name), find(dep)].sort();
      parent.set(b!, a!);
    }
  }
  const groups = new Map<string, string[]>();
  for (const n of [...chosen].sort()) groups.set(find(n), [...(groups.get(find(n)) ?? []), n]);
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
  const loads = Array.from({ length: shard.count }, () => [] as string[]);
  for (const group of ordered) {
    const target = loads.reduce((best, l, i) => (l.length < loads[best]!.length ? i : best), 0);
    loads[target]!.push(...group);
  }
  const mine = new Set(loads[shard.index - 1]);
  return names.filter((n) => mine.has(n));
}
