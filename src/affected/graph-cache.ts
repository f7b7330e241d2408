import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ImportSpecifier } from './import-scan.js';
import type { StackReferenceSite } from './stack-reference-scan.js';

/** What the import graph knows about one source file, keyed by the hash of its content. */
export interface FileRecord {
  /** Hash of the file's text: the key. A record is reused only for the same content. */
  hash: string;
  /**
   * The file's stamp when it was read, or '' when it had changed too recently to trust
   * (two writes within one clock tick can leave the same stamp). A matching stamp lets the
   * next run skip reading the file; anything else makes it read and hash it.
   */
  stamp: string;
  /** Imports as `i:specifier` (import), `t:specifier` (type-only import) or `r:specifier` (require): strings, so a warm load allocates little. */
  imports: string[];
  /** Repository paths the file reads (`new URL`, `readFileSync`), each standing for itself and what is below. */
  reads: string[];
  refs: StackReferenceSite[];
  /** Per import: the repository file it resolves to, or '' for none. Undefined until resolved. */
  resolved?: string[];
}

/** The cached graph: file records, and the stamps of what resolution depended on. */
export interface GraphCacheData {
  files: Map<string, FileRecord>;
  /**
   * Stamps of the folders holding graph files and their parents (a file added or removed
   * changes its folder's stamp), their package.json and tsconfig.json, and the package
   * manager's record of node_modules. Resolutions are reused only when all are unchanged.
   */
  stamps: Map<string, string>;
}

/** Where the import graph is kept between runs. */
export interface GraphCache {
  load(): GraphCacheData | undefined;
  save(data: GraphCacheData): void;
}

type Row = [hash: string, stamp: string, imports: string[], reads: string[], resolved: string[] | 0, refs?: StackReferenceSite[]];

/** An import as a record holds it. */
export function encodeImport(i: ImportSpecifier): string {
  return `${i.kind === 'require' ? 'r' : i.typeOnly ? 't' : 'i'}:${i.specifier}`;
}

/** An import of a record, back as the scanner found it. */
export function decodeImport(encoded: string): ImportSpecifier {
  if (encoded[0] === 't') return { kind: 'import', specifier: encoded.slice(2), typeOnly: true };
  return { kind: encoded[0] === 'r' ? 'require' : 'import', specifier: encoded.slice(2) };
}

interface CacheFile {
  key: string;
  stamps: Record<string, string>;
  files: Record<string, Row>;
}

/**
 * A cache in one JSON file, e.g. `.gitops/cache/import-graph.json`. Safe to delete; a file
 * written for another `key` (format, resolver version, repository folder) or that does not
 * parse counts as absent. Records are stored as arrays of strings: the time to parse the
 * file is part of every warm run.
 */
export function fileGraphCache(file: string, key: string): GraphCache {
  return {
    load() {
      let data: CacheFile;
      try {
        data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
      } catch {
        return undefined;
      }
      if (data?.key !== key || typeof data.files !== 'object' || typeof data.stamps !== 'object') return undefined;
      const files = new Map<string, FileRecord>();
      for (const [p, [hash, stamp, imports, reads, resolved, refs]] of Object.entries(data.files)) {
        files.set(p, { hash, stamp, imports, reads, refs: refs ?? [], resolved: resolved === 0 ? undefined : resolved });
      }
      return { files, stamps: new Map(Object.entries(data.stamps)) };
    },
    save(data) {
      const files: Record<string, Row> = {};
      for (const [p, r] of data.files) {
        const row: Row = [r.hash, r.stamp, r.imports, r.reads, r.resolved ?? 0];
        if (r.refs.length > 0) row.push(r.refs);
        files[p] = row;
      }
      const out: CacheFile = { key, stamps: Object.fromEntries(data.stamps), files };
      try {
        const dir = path.dirname(file);
        if (!existsSync(dir)) {
          mkdirSync(dir, { recursive: true });
          // Kept out of git even in a repository whose .gitignore does not list the folder.
          writeFileSync(path.join(dir, '.gitignore'), '*\n');
        }
        // Write then rename: a run reading meanwhile sees the old file or the new one, never half of one.
        const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
        writeFileSync(temp, JSON.stringify(out));
        renameSync(temp, file);
      } catch {
        // The cache only saves time: a folder that cannot be written (a read-only checkout)
        // makes every run cold, never a failed one.
      }
    },
  };
}
