import { createRequire } from 'node:module';
import path from 'node:path';
import type { ChangedFile } from '../git/name-status.js';
import type { RepoLayout } from '../repo/layout.js';
import { readRepoSettings } from '../repo/settings.js';
import { type GraphNode, withDependents } from '../stacks/graph.js';
import type { StackCatalog } from '../stacks/load.js';
import { programEntry } from '../stacks/program-project.js';
import { fileGraphCache, type GraphCache } from './graph-cache.js';
import { ImportGraph, type ImportHit } from './import-graph.js';
import { defaultRootFiles, locateAffected, segmentsBelow, touched } from './locators.js';
import type { PackageChange } from './model.js';
import { type AffectedReason, type AffectedStack, sortReasons } from './model.js';
import { fileSource, type ModuleSource } from './module-source.js';
import { unreadPackageChanges } from './package-changes.js';
import { type ProgramReach, programReach } from './program-reach.js';

/** What {@link affectedFromChanges} works from. */
export interface ChangesInput {
  changes: readonly ChangedFile[];
  catalog: StackCatalog;
  layout: RepoLayout;
  /** Default: {@link defaultRootFiles}. */
  rootFiles?: readonly string[];
  /** The dependency graph, e.g. with inferred StackReference edges merged in. Default: the catalogue's `dependsOn`. */
  nodes?: readonly GraphNode[];
  /** Where program sources are read. Default: the working tree at `layout.root`. */
  source?: ModuleSource;
  /** An import graph to reuse (see {@link programImportGraph}); it is finished here if needed. */
  graph?: ImportGraph;
  /** Changed package.json files and lockfiles, read on both sides. Default: each affects every stack in its scope (no base known). */
  packageChanges?: readonly PackageChange[];
}

/** How {@link programImportGraph} reads and caches. */
export interface ProgramGraphOptions {
  /** Where program sources are read. Default: the working tree at `layout.root`. */
  source?: ModuleSource;
  /** Default: {@link defaultGraphCache} (`.gitops/cache/import-graph.json`); false for none. */
  cache?: GraphCache | false;
  /** Whether `import type` chains count. Default: `gitops.affected.typeImports` of the root Pulumi.yaml, else true. */
  typeImports?: boolean;
}

/** A folder of the layout relative to its root, with `/` separators. */
export function relativeDir(layout: RepoLayout, dir: string): string {
  return path.relative(layout.root, dir).split(path.sep).join('/');
}

/** The entry file of every program some stack runs, mapped to the program's name. */
export function programEntries(catalog: StackCatalog, layout: RepoLayout): Map<string, string> {
  return new Map(catalog.stacks.map((s) => [path.relative(layout.root, programEntry(layout, s)).split(path.sep).join('/'), s.program]));
}

/** The cache file's key: a cache written by another format, resolver version or folder is not used. */
function cacheKey(root: string): string {
  const { version } = createRequire(import.meta.url)('oxc-resolver/package.json') as { version: string };
  return `import-graph 2; oxc-resolver ${version}; ${root}`;
}

/** The import graph cache of a repository, in `.gitops/cache/` (ignored by git, safe to delete). */
export function defaultGraphCache(layout: RepoLayout): GraphCache {
  return fileGraphCache(path.join(layout.workDir, 'cache', 'import-graph.json'), cacheKey(layout.root));
}

/**
 * The import graph of every program some stack runs, not yet built. Share one between
 * `detectStackReferences` and `computeAffected` so that each file is read once.
 */
export function programImportGraph(catalog: StackCatalog, layout: RepoLayout, options: ProgramGraphOptions = {}): ImportGraph {
  const cache = options.cache === false ? undefined : (options.cache ?? defaultGraphCache(layout));
  const source = options.source ?? fileSource(layout.root);
  const typeImports = options.typeImports ?? readRepoSettings(layout.root).typeImports;
  return new ImportGraph({ root: layout.root, source, cache, typeImports }).addEntries(programEntries(catalog, layout).keys());
}

/** What the programs reach, for the locators: import and read hits, and the files and packages reached. */
interface ProgramFacts {
  importHits: Map<string, ImportHit[]>;
  reach?: Map<string, ProgramReach>;
}

/**
 * Import and read hits per program name, and what each program reaches when a package file
 * changed. Any file can be read by a program (a values file, a chart), so the graph is only
 * skipped when nothing outside the stack files changed.
 */
function programFacts(input: ChangesInput, stacksDir: string, packages: readonly PackageChange[]): ProgramFacts {
  const changed = touched(input.changes).filter((f) => !segmentsBelow(f, stacksDir));
  if (changed.length === 0) return { importHits: new Map() };
  const entries = programEntries(input.catalog, input.layout);
  const graph = input.graph?.addEntries(entries.keys()) ?? programImportGraph(input.catalog, input.layout, { source: input.source });
  graph.step();
  const byEntry = graph.hits([...entries.keys()], changed);
  const importHits = new Map([...byEntry].map(([entry, hits]) => [entries.get(entry)!, hits]));
  if (packages.length === 0) return { importHits };
  return { importHits, reach: new Map([...entries].map(([entry, program]) => [program, programReach(graph, entry)])) };
}

/** Adds a `dependency` reason to every stack downstream of one being updated. */
function addDependents(found: Map<string, AffectedReason[]>, nodes: readonly GraphNode[]): void {
  const updated = [...found].filter(([, reasons]) => !reasons.some((r) => r.kind === 'deleted')).map(([name]) => name);
  const all = withDependents(nodes, updated);
  for (const node of nodes) {
    if (!all.has(node.name)) continue;
    for (const dep of node.dependsOn) {
      if (!all.has(dep)) continue;
      const list = found.get(node.name);
      if (list) list.push({ kind: 'dependency', stack: dep });
      else found.set(node.name, [{ kind: 'dependency', stack: dep }]);
    }
  }
}

/**
 * The affected stacks for a list of changed files: every locator, then the stacks that
 * depend on an affected one. Sorted by name; a stack whose file is gone is to be destroyed.
 */
export function affectedFromChanges(input: ChangesInput): AffectedStack[] {
  const stacksDir = relativeDir(input.layout, input.layout.stacksDir);
  const packageChanges = input.packageChanges ?? unreadPackageChanges(input.changes);
  const found = locateAffected({
    changes: input.changes,
    stacks: input.catalog.stacks,
    stacksDir,
    programsDir: relativeDir(input.layout, input.layout.programsDir),
    rootFiles: input.rootFiles ?? defaultRootFiles,
    packageChanges,
    ...programFacts(input, stacksDir, packageChanges),
  });
  addDependents(found, input.nodes ?? input.catalog.stacks);
  return [...found]
    .map(
      ([name, reasons]): AffectedStack => ({
        name,
        action: reasons.some((r) => r.kind === 'deleted') ? 'destroy' : 'update',
        reasons: sortReasons(reasons),
      }),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every stack of the catalogue, for one reason that applies to all (history missing). */
export function everyStack(catalog: StackCatalog, reason: AffectedReason): AffectedStack[] {
  return catalog.stacks
    .map((s) => ({ name: s.name, action: 'update' as const, reasons: [reason] }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
