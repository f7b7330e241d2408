import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the import graph reads program sources. Paths are repository-relative with `/`
 * separators. Synchronous on purpose: the graph reads thousands of small files, and a
 * synchronous read costs a fraction of an asynchronous one that goes through the thread pool.
 */
export interface ModuleSource {
  /** True when the path is a regular file. */
  isFile(file: string): boolean;
  /** The file's text, or undefined when it cannot be read. */
  read(file: string): string | undefined;
}

/**
 * Sources from a folder on disk (the checked-out head). Each folder is listed at most once,
 * so resolving `./x.js` against `x.ts`, `x.tsx`, `x/index.ts`... costs set lookups, not
 * failed `stat` calls.
 */
export function fileSource(root: string): ModuleSource {
  const folders = new Map<string, ReadonlySet<string>>();
  const filesIn = (dir: string): ReadonlySet<string> => {
    let names = folders.get(dir);
    if (!names) {
      try {
        const entries = readdirSync(path.join(root, dir), { withFileTypes: true });
        names = new Set(entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name));
      } catch {
        names = new Set();
      }
      folders.set(dir, names);
    }
    return names;
  };
  return {
    isFile: (file) => filesIn(path.posix.dirname(file)).has(path.posix.basename(file)),
    read: (file) => {
      try {
        return readFileSync(path.join(root, file), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** Sources held in memory, for tests and for callers that already have the text. */
export function memorySource(files: Readonly<Record<string, string>>): ModuleSource {
  const map = new Map(Object.entries(files));
  return { isFile: (file) => map.has(file), read: (file) => map.get(file) };
}
