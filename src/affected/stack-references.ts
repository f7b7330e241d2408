import type { RepoLayout } from '../repo/layout.js';
import type { GraphNode } from '../stacks/graph.js';
import type { StackCatalog } from '../stacks/load.js';
import { programEntries, programImportGraph } from './affected-from-changes.js';
import type { ImportGraph } from './import-graph.js';
import type { ModuleSource } from './module-source.js';
import type { StackReferenceSite } from './stack-reference-scan.js';

export { findStackReferences, type StackReferenceSite } from './stack-reference-scan.js';

/** A dependency inferred from a StackReference: stack `from` reads outputs of stack `to`. */
export interface InferredEdge {
  from: string;
  to: string;
  /** The name as written in the program. */
  reference: string;
  file: string;
  line: number;
}

/** What the StackReference scan found across every program. */
export interface StackReferenceScan {
  edges: InferredEdge[];
  /** Literal references that name no stack of the catalogue (another repository's, or a typo). */
  unresolved: { stack: string; reference: string; file: string; line: number }[];
  /** References whose name is computed (e.g. read from config): they cannot be inferred. */
  dynamic: { program: string; file: string; line: number }[];
}

/**
 * The stack of the catalogue a reference names: `org/project/stack` and `project/stack`
 * match on Pulumi project and stack; a bare `stack` means the referencing stack's project.
 */
export function resolveReference(reference: string, fromProject: string, catalog: StackCatalog): string | undefined {
  const parts = reference.split('/');
  const stack = parts.at(-1);
  const project = parts.length >= 2 ? parts.at(-2) : fromProject;
  return catalog.stacks.find((s) => s.project === project && s.stack === stack)?.name;
}

/** Files an entry reaches through imports, the entry first. */
function reachable(graph: ImportGraph, entry: string): string[] {
  const seen = new Set([entry]);
  for (const file of seen) for (const next of graph.importsOf(file)) seen.add(next);
  return [...seen];
}

/**
 * Scans each program's sources, including every file it imports, for StackReferences with
 * literal names and maps them to stacks of the catalogue. Each file is read and scanned once,
 * by the import graph.
 * Pass the `graph` that `computeAffected` will use too, so the programs are read only once.
 */
export function detectStackReferences(
  catalog: StackCatalog,
  layout: RepoLayout,
  options: { source?: ModuleSource; graph?: ImportGraph } = {},
): StackReferenceScan {
  const entries = programEntries(catalog, layout);
  const graph = options.graph?.addEntries(entries.keys()) ?? programImportGraph(catalog, layout, { source: options.source });
  graph.step();
  // Found when each file was scanned (or cached with its content hash): no second read.
  const sitesIn = (file: string): readonly StackReferenceSite[] => graph.stackReferencesOf(file);
  const scan: StackReferenceScan = { edges: [], unresolved: [], dynamic: [] };
  for (const [entry, program] of entries) {
    const found = reachable(graph, entry).flatMap((file) => sitesIn(file).map((s) => ({ ...s, file })));
    for (const s of found.filter((f) => f.name === undefined)) scan.dynamic.push({ program, file: s.file, line: s.line });
    for (const stack of catalog.stacks.filter((st) => st.program === program)) {
      for (const s of found) {
        if (s.name === undefined) continue;
        const to = resolveReference(s.name, stack.project, catalog);
        if (to === undefined) scan.unresolved.push({ stack: stack.name, reference: s.name, file: s.file, line: s.line });
        else if (to !== stack.name) scan.edges.push({ from: stack.name, to, reference: s.name, file: s.file, line: s.line });
      }
    }
  }
  return scan;
}

/** A graph node whose `inferred` dependencies came from StackReferences, not `dependsOn`. */
export interface InferredGraphNode extends GraphNode {
  inferred: readonly string[];
}

/** The declared graph with inferred edges added (each once, and only when not already declared). */
export function mergeInferredEdges(nodes: readonly GraphNode[], edges: readonly InferredEdge[]): InferredGraphNode[] {
  return nodes.map((n) => {
    const inferred = [...new Set(edges.filter((e) => e.from === n.name && !n.dependsOn.includes(e.to)).map((e) => e.to))].sort();
    return { name: n.name, dependsOn: [...n.dependsOn, ...inferred], inferred };
  });
}
