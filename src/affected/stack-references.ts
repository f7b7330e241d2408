import type { RepoLayout } from '../repo/layout.js';
import type { GraphNode } from '../stacks/graph.js';
import type { StackCatalog } from '../stacks/load.js';
import { programEntries, programImportGraph } from './affected-from-changes.js';
import type { ImportGraph } from './import-graph.js';
import type { ModuleSource } from './module-source.js';

/** A `new StackReference(...)` in a source file. */
export interface StackReferenceSite {
  /** The referenced stack name when it is a string literal (`org/project/stack`); undefined otherwise. */
  name?: string;
  line: number;
}

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

// `new pulumi.StackReference(` or `new StackReference(`, then a literal resource name, then
// optionally `{ name: "..." }`, which is the stack name when given.
const site = /\bnew\s+(?:[A-Za-z_$][\w$]*\s*\.\s*)*StackReference\s*\(\s*(?:(['"`])([^'"`$\n]*)\1(?:\s*,\s*\{[^{}]*?\bname\s*:\s*(['"`])([^'"`$\n]*)\3)?)?/g;

/** Every StackReference constructed in a file. Pure. */
export function findStackReferences(text: string): StackReferenceSite[] {
  if (!text.includes('StackReference')) return [];
  return [...text.matchAll(site)].map((m) => ({ name: m[4] ?? m[2], line: text.slice(0, m.index).split('\n').length }));
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
 * literal names and maps them to stacks of the catalogue. Each file is read and scanned once.
 * Pass the `graph` that `computeAffected` will use too, so the programs are read only once.
 */
export function detectStackReferences(catalog: StackCatalog, layout: RepoLayout, options: { source?: ModuleSource; graph?: ImportGraph } = {}): StackReferenceScan {
  const entries = programEntries(catalog, layout);
  const graph = options.graph?.addEntries(entries.keys()) ?? programImportGraph(catalog, layout, options.source);
  graph.step();
  const source = graph.source;
  const sites = new Map<string, StackReferenceSite[]>();
  const sitesIn = (file: string) => sites.get(file) ?? sites.set(file, findStackReferences(source.read(file) ?? '')).get(file)!;
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
