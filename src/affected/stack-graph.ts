import { GitopsError } from '../errors/gitops-error.js';
import type { RepoLayout } from '../repo/layout.js';
import { findCycles } from '../stacks/graph.js';
import type { StackCatalog } from '../stacks/load.js';
import type { ImportGraph } from './import-graph.js';
import { detectStackReferences, type InferredGraphNode, mergeInferredEdges } from './stack-references.js';

/**
 * The full stack graph: `dependsOn` from the stack files, plus the dependencies inferred from
 * StackReferences with literal names in the programs. A cycle, declared or inferred, is a
 * validation error that names it. Pass the import graph when the caller reads the programs
 * again (affected stacks), so each file is read once.
 */
export function stackGraph(catalog: StackCatalog, layout: RepoLayout, graph?: ImportGraph): InferredGraphNode[] {
  const scan = detectStackReferences(catalog, layout, { graph });
  const nodes = mergeInferredEdges(catalog.stacks, scan.edges);
  const cycles = findCycles(nodes);
  if (cycles.length > 0) {
    throw new GitopsError({
      code: 'DEPENDENCY_CYCLE',
      kind: 'user',
      message: `the stack graph has ${cycles.length === 1 ? 'a cycle' : `${cycles.length} cycles`} once StackReferences are counted`,
      details: cycles.map((c) => `dependency cycle: ${[...c, c[0]].join(' -> ')}`),
      hint: 'a StackReference in a program counts as a dependency; remove the reference or the dependsOn that closes the loop',
    });
  }
  return nodes;
}

/** The catalogue with inferred dependencies folded into `dependsOn`, for ordering runs. */
export function withInferredDependencies(catalog: StackCatalog, nodes: readonly InferredGraphNode[]): StackCatalog {
  const deps = new Map(nodes.map((n) => [n.name, n.dependsOn]));
  const stacks = catalog.stacks.map((s) => ({ ...s, dependsOn: [...(deps.get(s.name) ?? s.dependsOn)] }));
  return { stacks, byName: new Map(stacks.map((s) => [s.name, s])) };
}
