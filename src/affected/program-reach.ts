import { builtinModules } from 'node:module';
import type { ImportGraph } from './import-graph.js';

/** What a program's entry file reaches: repository files through imports, and installed packages. */
export interface ProgramReach {
  /** Repository files, the entry included. */
  files: Set<string>;
  /** Names of the packages imported by any of those files (`lodash`, `@pulumi/aws`). */
  packages: Set<string>;
}

const builtins = new Set(builtinModules);

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or undefined for relative, absolute, `#` and built-in ones. */
export function packageOfSpecifier(specifier: string): string | undefined {
  if (/^[./#]/.test(specifier) || specifier.includes(':') || builtins.has(specifier)) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return name === '' || name.endsWith('/') || builtins.has(name) ? undefined : name;
}

/** Walks the (built) graph from one entry file. */
export function programReach(graph: ImportGraph, entry: string): ProgramReach {
  const files = new Set<string>();
  const packages = new Set<string>();
  if (!graph.has(entry)) return { files, packages };
  const stack = [entry];
  files.add(entry);
  while (stack.length > 0) {
    const file = stack.pop()!;
    for (const spec of graph.externalImportsOf(file)) {
      const name = packageOfSpecifier(spec);
      if (name) packages.add(name);
    }
    for (const next of graph.importsOf(file)) {
      if (files.has(next)) continue;
      files.add(next);
      stack.push(next);
    }
  }
  return { files, packages };
}
