import { existsSync, realpathSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import type { NapiResolveOptions } from 'oxc-resolver';
import type { ImportKind } from './import-scan.js';

/** Resolves import specifiers to repository files. Paths are repository-relative with `/` separators. */
export interface ModuleResolver {
  /**
   * The repository file `specifier` loads from `importer`, or undefined when it is a Node
   * built-in, an installed package (the lock file stands for those), outside the
   * repository, or does not resolve.
   */
  resolve(importer: string, specifier: string, kind: ImportKind): string | undefined;
}

const builtins = new Set(builtinModules);

/** How tsx maps an ESM `.js`-style specifier back to the TypeScript source it runs. */
const extensionAlias = { '.js': ['.ts', '.tsx', '.js'], '.jsx': ['.tsx', '.jsx'], '.mjs': ['.mts', '.mjs'], '.cjs': ['.cts', '.cjs'] };

/**
 * Options that make oxc-resolver answer like tsx on Node: Node's `exports`/`imports`
 * conditions per import kind, tsx's `.js` -> `.ts` mapping, extensionless and index files
 * (tsx allows them in ESM too), symlinks followed to their real path (so a workspace
 * package linked in node_modules resolves to its folder in the repository), and the
 * `paths`/`baseUrl` of the repository's tsconfig.json. tsx reads one tsconfig, the one of
 * the folder it starts in; `gitops` runs programs from the repository root, so that is the
 * root's.
 */
export function resolverOptions(root: string, kind: ImportKind): NapiResolveOptions {
  const tsconfig = path.join(root, 'tsconfig.json');
  return {
    conditionNames: ['node', kind, 'module-sync', 'default'],
    extensionAlias,
    extensions: ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'],
    mainFields: ['main'],
    mainFiles: ['index'],
    symlinks: true,
    // NODE_PATH is not part of ESM resolution and varies by machine.
    nodePath: false,
    ...(existsSync(tsconfig) ? { tsconfig: { configFile: tsconfig } } : {}),
  };
}

/**
 * The runtime's resolution through oxc-resolver, a maintained implementation of Node's and
 * TypeScript's algorithms. A file that resolves below a `node_modules` folder is an
 * installed package; one that resolves into the repository through a symlink is not.
 */
export function oxcResolver(root: string): ModuleResolver {
  // Loaded on first use: its native binding costs milliseconds that a warm cache never needs.
  const { ResolverFactory } = createRequire(import.meta.url)('oxc-resolver') as typeof import('oxc-resolver');
  const esm = new ResolverFactory(resolverOptions(root, 'import'));
  const cjs = esm.cloneWithOptions(resolverOptions(root, 'require'));
  const real = realpathSync(path.resolve(root));
  return {
    resolve(importer, specifier, kind) {
      if (specifier.startsWith('node:') || builtins.has(specifier)) return undefined;
      const result = (kind === 'require' ? cjs : esm).resolveFileSync(path.join(real, importer), specifier);
      if (result.path === undefined) return undefined;
      const rel = path.relative(real, result.path).split(path.sep).join('/');
      if (rel.startsWith('../') || path.isAbsolute(rel) || rel.split('/').includes('node_modules')) return undefined;
      return rel;
    },
  };
}
