import { findCycles, type GraphNode, topologicalWaves } from '../stacks/graph.js';

/** A node to draw; `inferred` marks dependencies found from StackReferences (see mergeInferredEdges). */
export interface DrawnNode extends GraphNode {
  inferred?: readonly string[];
}

function dependencyList(node: DrawnNode): string {
  const inferred = new Set(node.inferred ?? []);
  return [...node.dependsOn]
    .sort()
    .map((d) => (inferred.has(d) ? `${d} (StackReference)` : d))
    .join(', ');
}

/**
 * The dependency graph as text: stacks in deployment waves (each wave depends only on
 * earlier ones), each with what it waits for. A graph with cycles (possible once inferred
 * edges are merged) is listed by name after the cycles. Pure.
 */
export function renderGraphText(nodes: readonly DrawnNode[]): string {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const width = Math.max(0, ...nodes.map((n) => n.name.length));
  const line = (name: string) => {
    const node = byName.get(name)!;
    return node.dependsOn.length > 0 ? `  ${name.padEnd(width)}  <- ${dependencyList(node)}` : `  ${name}`;
  };
  const cycles = findCycles(nodes);
  if (cycles.length > 0) {
    const lines = cycles.map((c) => `dependency cycle: ${[...c, c[0]].join(' -> ')}`);
    lines.push('Stacks', ...[...byName.keys()].sort().map(line));
    return `${lines.join('\n')}\n`;
  }
  const lines = topologicalWaves(nodes).flatMap((wave, i) => [`Wave ${i + 1}`, ...wave.map(line)]);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '(no stacks)\n';
}

/**
 * The dependency graph as a Mermaid flowchart, edges pointing from a stack to those that
 * deploy after it. Inferred edges are dotted; `highlight`ed stacks (e.g. the affected ones)
 * are filled. Pure; node ids are positional because stack ids may hold dots.
 */
export function renderGraphMermaid(nodes: readonly DrawnNode[], highlight: Iterable<string> = []): string {
  const sorted = [...nodes].sort((a, b) => a.name.localeCompare(b.name));
  const ids = new Map(sorted.map((n, i) => [n.name, `s${i}`]));
  const lines = ['flowchart LR'];
  for (const n of sorted) lines.push(`  ${ids.get(n.name)}["${n.name.replace(/"/g, '#quot;')}"]`);
  for (const n of sorted) {
    const inferred = new Set(n.inferred ?? []);
    for (const dep of [...n.dependsOn].sort()) {
      const from = ids.get(dep);
      if (from === undefined) continue;
      lines.push(inferred.has(dep) ? `  ${from} -.->|StackReference| ${ids.get(n.name)}` : `  ${from} --> ${ids.get(n.name)}`);
    }
  }
  const marked = [...new Set(highlight)].map((name) => ids.get(name)).filter((id): id is string => id !== undefined);
  if (marked.length > 0) {
    lines.push('  classDef affected fill:#fde68a,stroke:#b45309,stroke-width:2px', `  class ${marked.join(',')} affected`);
  }
  return `${lines.join('\n')}\n`;
}
