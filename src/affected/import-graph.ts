import { isModuleFile, isSourceFile, parseImports, resolveCandidates } from './import-scan.js';
import type { ModuleSource } from './module-source.js';

/** How a program reaches a changed module: the chain of imports from its entry file. */
export interface ImportHit {
  /** The changed file. */
  path: string;
  /** The entry file, every file in between, and the changed file. */
  via: string[];
}

/**
 * The relative-import graph of the files reachable from some entry files. Built lazily:
 * only files reachable from the entries are read, each once, and files that are not
 * JavaScript or TypeScript are kept as leaves without being read.
 */
export class ImportGraph {
  private readonly edges = new Map<string, string[]>();
  private readonly queue: string[] = [];
  private reverse?: Map<string, string[]>;

  constructor(readonly source: ModuleSource) {}

  /** Queues entry files (those that exist); call {@link build} or {@link step} to read them. */
  addEntries(entries: Iterable<string>): this {
    for (const e of entries) if (!this.edges.has(e) && this.source.isFile(e)) this.visit(e);
    return this;
  }

  private visit(file: string): void {
    this.edges.set(file, []);
    if (isSourceFile(file)) this.queue.push(file);
    this.reverse = undefined;
  }

  /** Reads queued files until the queue is empty or `budgetMs` has passed; true when done. */
  step(budgetMs = Infinity): boolean {
    const deadline = performance.now() + budgetMs;
    while (this.queue.length > 0) {
      const file = this.queue.pop()!;
      const out = this.edges.get(file)!;
      for (const spec of parseImports(this.source.read(file) ?? '')) {
        const target = resolveCandidates(file, spec)?.find((c) => this.source.isFile(c));
        if (target === undefined) continue;
        out.push(target);
        if (!this.edges.has(target)) this.visit(target);
      }
      if (performance.now() > deadline) return this.queue.length === 0;
    }
    return true;
  }

  /**
   * Builds the whole graph in slices, yielding between them so that other work (git
   * processes whose output must be read) progresses meanwhile.
   */
  async build(signal?: AbortSignal): Promise<this> {
    // Yield first: processes the caller just asked for are spawned on the next ticks.
    do await new Promise((resolve) => setImmediate(resolve));
    while (!signal?.aborted && !this.step(8));
    return this;
  }

  /** True once the file is known to be reachable from an entry. */
  has(file: string): boolean {
    return this.edges.has(file);
  }

  /** Resolved imports of a file (empty for leaves and files not in the graph). */
  importsOf(file: string): readonly string[] {
    return this.edges.get(file) ?? [];
  }

  get size(): number {
    return this.edges.size;
  }

  private importers(): Map<string, string[]> {
    if (!this.reverse) {
      this.reverse = new Map();
      for (const [from, tos] of this.edges) {
        for (const to of tos) {
          const list = this.reverse.get(to);
          if (list) list.push(from);
          else this.reverse.set(to, [from]);
        }
      }
    }
    return this.reverse;
  }

  /**
   * For each entry that reaches one of `changed` through imports, the changed files it
   * reaches and one shortest import chain to each. One backward walk per changed file in
   * the graph: the cost is independent of the number of entries.
   */
  hits(entries: readonly string[], changed: Iterable<string>): Map<string, ImportHit[]> {
    const importers = this.importers();
    const wanted = new Set(entries);
    const result = new Map<string, ImportHit[]>();
    for (const target of changed) {
      if (!this.edges.has(target)) continue;
      // next[f] = the file f imports on its shortest way to the target.
      const next = new Map<string, string | null>([[target, null]]);
      const frontier = [target];
      for (let i = 0; i < frontier.length; i++) {
        for (const importer of importers.get(frontier[i]!) ?? []) {
          if (next.has(importer)) continue;
          next.set(importer, frontier[i]!);
          frontier.push(importer);
        }
      }
      for (const entry of wanted) {
        if (!next.has(entry)) continue;
        const via = [entry];
        for (let f = next.get(entry); f; f = next.get(f)) via.push(f);
        const list = result.get(entry);
        if (list) list.push({ path: target, via });
        else result.set(entry, [{ path: target, via }]);
      }
    }
    return result;
  }
}

/** True when some changed path could be a module an import resolves to, so the graph is worth building. */
export function mayAffectImports(paths: Iterable<string>): boolean {
  for (const p of paths) if (isModuleFile(p)) return true;
  return false;
}
