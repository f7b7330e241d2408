import { createHash } from 'node:crypto';
import path from 'node:path';
import { decodeImport, encodeImport, type FileRecord, type GraphCache, type GraphCacheData } from './graph-cache.js';
import { isSourceFile, readTarget, scanSource } from './import-scan.js';
import { type ModuleResolver, oxcResolver } from './module-resolver.js';
import { fileSource, type ModuleSource, stampOf } from './module-source.js';
import { findStackReferences, type StackReferenceSite } from './stack-reference-scan.js';

/** How a program reaches a changed file: through imports, or by reading it. */
export interface ImportHit {
  /** The changed file. */
  path: string;
  /** `import`: `via` ends with the changed module. `read`: `via` ends with the file that reads it. */
  kind: 'import' | 'read';
  /** The entry file, every file in between, and the changed file (import) or the reading file (read). */
  via: string[];
}

/** Where the graph reads, resolves and caches. */
export interface ImportGraphOptions {
  /** The repository root, absolute. */
  root: string;
  /** Default: the files under `root`. */
  source?: ModuleSource;
  /** Default: {@link oxcResolver} at `root`, created on the first import that needs resolving. */
  resolver?: ModuleResolver;
  /** Default: none (every run reads every file). */
  cache?: GraphCache;
  /** The clock, for telling recently changed files (whose stamps are not trusted). Default: Date.now. */
  now?: () => number;
  /** False: `import type`/`export type … from` are no edges (tsx and Node erase them). Default: true. */
  typeImports?: boolean;
}

/** A stamp younger than this is not trusted: file times have a coarse tick. */
const racyMs = 1000;
/** Files whose stamps record what node_modules holds, written by npm, pnpm and yarn on every install. */
const installRecords = ['node_modules', 'node_modules/.package-lock.json', 'node_modules/.modules.yaml', 'node_modules/.yarn-state.yml'];

const hashOf = (text: string) => createHash('sha1').update(text).digest('base64');

/**
 * The import graph of the files reachable from some entry files, with the files each one
 * reads. Built lazily: only files reachable from the entries are read, each once; files
 * that are not JavaScript or TypeScript are leaves. With a cache, a file whose stamp is
 * unchanged is not read, one whose content hash is unchanged is not scanned, and
 * resolutions are reused while no folder, package.json or tsconfig.json they depend on
 * changed.
 */
export class ImportGraph {
  readonly source: ModuleSource;
  private readonly root: string;
  private readonly edges = new Map<string, string[]>();
  private readonly records = new Map<string, FileRecord>();
  private readonly queue: string[] = [];
  private reverse?: Map<string, string[]>;
  private resolver?: ModuleResolver;
  private cached?: GraphCacheData;
  private opened = false;
  private dirty = false;

  constructor(private readonly options: ImportGraphOptions) {
    this.root = options.root;
    this.source = options.source ?? fileSource(options.root);
    this.resolver = options.resolver;
  }

  /** Queues entry files (those that exist); call {@link build} or {@link step} to read them. */
  addEntries(entries: Iterable<string>): this {
    // A source with stamps tells a missing entry when it is read (see step): no folder listing needed.
    for (const e of entries) if (!this.edges.has(e) && (this.source.stat || this.source.isFile(e))) this.visit(e);
    return this;
  }

  private visit(file: string): void {
    this.edges.set(file, []);
    if (isSourceFile(file)) this.queue.push(file);
    this.reverse = undefined;
  }

  /** Loads the cache once; its resolutions are dropped when what they depended on changed. */
  private open(): void {
    if (this.opened) return;
    this.opened = true;
    this.cached = this.options.cache?.load();
    if (!this.cached) return;
    for (const [p, stamp] of this.cached.stamps) {
      if ((stampOf(path.join(this.root, p))?.signature ?? '') === stamp) continue;
      for (const r of this.cached.files.values()) r.resolved = undefined;
      this.dirty = true;
      return;
    }
  }

  /** The record of a file's current content: from the cache when its stamp or hash matches, else scanned. */
  private record(file: string): FileRecord | undefined {
    const known = this.cached?.files.get(file);
    const stamp = this.source.stat?.(file);
    if (known && stamp && known.stamp === stamp.signature) return known;
    if (this.source.stat && !stamp) return undefined; // gone
    const text = this.source.read(file);
    if (text === undefined) return undefined;
    const hash = hashOf(text);
    const trusted = stamp && stamp.changedMs < (this.options.now ?? Date.now)() - racyMs ? stamp.signature : '';
    if (known?.hash === hash) {
      if (known.stamp !== trusted) this.dirty = true;
      known.stamp = trusted;
      return known;
    }
    this.dirty = true;
    const scan = scanSource(text);
    const reads = [...new Set(scan.reads.map((r) => readTarget(file, r)).filter((t): t is string => t !== undefined))];
    return { hash, stamp: trusted, imports: scan.imports.map(encodeImport), reads, refs: findStackReferences(text) };
  }

  /** Reads queued files until the queue is empty or `budgetMs` has passed; true when done. */
  step(budgetMs = Infinity): boolean {
    this.open();
    const deadline = performance.now() + budgetMs;
    while (this.queue.length > 0) {
      const file = this.queue.pop()!;
      const rec = this.record(file);
      if (!rec && this.edges.get(file)!.length === 0 && !this.importers().has(file)) this.edges.delete(file);
      if (rec) {
        this.records.set(file, rec);
        if (!rec.resolved) {
          this.resolver ??= oxcResolver(this.root);
          rec.resolved = rec.imports.map((encoded) => {
            const i = decodeImport(encoded);
            return this.resolver!.resolve(file, i.specifier, i.kind) ?? '';
          });
          this.dirty = true;
        }
        const out = this.edges.get(file)!;
        for (const [i, target] of rec.resolved.entries()) {
          if (target === '' || out.includes(target) || this.skipped(rec.imports[i]!)) continue;
          out.push(target);
          if (!this.edges.has(target)) this.visit(target);
        }
      }
      if (performance.now() > deadline) break;
    }
    if (this.queue.length > 0) return false;
    this.persist();
    return true;
  }

  /** Saves the graph when something in it was read afresh. */
  private persist(): void {
    if (!this.dirty || !this.options.cache) return;
    this.dirty = false;
    const stamps = new Map<string, string>();
    const now = (this.options.now ?? Date.now)();
    const stamp = (p: string) => {
      if (stamps.has(p)) return;
      const s = stampOf(path.join(this.root, p));
      // A folder changed within the last tick could change again unseen: make the next run resolve afresh.
      if (s !== undefined) stamps.set(p, s.changedMs < now - racyMs ? s.signature : 'racy');
    };
    for (const p of installRecords) stamp(p);
    for (const file of this.edges.keys()) {
      for (let dir = path.posix.dirname(file); !stamps.has(dir); dir = path.posix.dirname(dir)) {
        stamp(dir);
        stamp(dir === '.' ? 'package.json' : `${dir}/package.json`);
        stamp(dir === '.' ? 'tsconfig.json' : `${dir}/tsconfig.json`);
        if (dir === '.') break;
      }
    }
    this.options.cache.save({ files: this.records, stamps });
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

  /** True for an import left out of the graph: a type-only one when `typeImports` is false. */
  private skipped(encoded: string): boolean {
    return this.options.typeImports === false && decodeImport(encoded).typeOnly === true;
  }

  /** Specifiers a file imports that resolve to no repository file: installed packages, built-ins, broken imports. */
  externalImportsOf(file: string): string[] {
    const rec = this.records.get(file);
    if (!rec) return [];
    return rec.imports
      .filter((encoded, i) => (rec.resolved?.[i] ?? '') === '' && !this.skipped(encoded))
      .map((encoded) => decodeImport(encoded).specifier);
  }

  /** Repository paths a file reads (each standing for itself and everything below it). */
  readsOf(file: string): readonly string[] {
    return this.records.get(file)?.reads ?? [];
  }

  /** The StackReferences a file constructs, found when it was scanned (or cached). */
  stackReferencesOf(file: string): readonly StackReferenceSite[] {
    return this.records.get(file)?.refs ?? [];
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

  /** For every file that reaches `target` through imports, the file it imports on its shortest way there. */
  private towards(target: string): Map<string, string | null> {
    const importers = this.importers();
    const next = new Map<string, string | null>([[target, null]]);
    const frontier = [target];
    for (let i = 0; i < frontier.length; i++) {
      for (const importer of importers.get(frontier[i]!) ?? []) {
        if (next.has(importer)) continue;
        next.set(importer, frontier[i]!);
        frontier.push(importer);
      }
    }
    return next;
  }

  /**
   * For each entry that reaches one of `changed`, by importing it or by reading it (or a
   * folder above it), the changed files it reaches and one shortest chain to each. One
   * backward walk per changed file in the graph and per file that reads a changed one: the
   * cost is independent of the number of entries.
   */
  hits(entries: readonly string[], changed: Iterable<string>): Map<string, ImportHit[]> {
    const result = new Map<string, ImportHit[]>();
    const add = (entry: string, hit: ImportHit) => {
      const list = result.get(entry);
      if (list) list.push(hit);
      else result.set(entry, [hit]);
    };
    const readers = [...this.records].filter(([file, r]) => r.reads.length > 0 && this.edges.has(file));
    for (const target of changed) {
      const walks: { from: string; kind: ImportHit['kind'] }[] = [];
      if (this.edges.has(target)) walks.push({ from: target, kind: 'import' });
      for (const [file, r] of readers) {
        if (r.reads.some((t) => target === t || target.startsWith(`${t}/`))) walks.push({ from: file, kind: 'read' });
      }
      for (const walk of walks) {
        const next = this.towards(walk.from);
        for (const entry of entries) {
          if (!next.has(entry)) continue;
          const via = [entry];
          for (let f = next.get(entry); f; f = next.get(f)) via.push(f);
          add(entry, { path: target, kind: walk.kind, via });
        }
      }
    }
    return result;
  }
}
