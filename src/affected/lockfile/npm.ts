import { addCopy, dependencyNames, type LockedPackages } from './model.js';

interface NpmEntry {
  name?: unknown;
  version?: unknown;
  integrity?: unknown;
  resolved?: unknown;
  link?: unknown;
  dependencies?: unknown;
  optionalDependencies?: unknown;
  peerDependencies?: unknown;
  requires?: unknown;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The package name of an npm v2/v3 `packages` key: what follows its last `node_modules/`. */
function nameOfKey(key: string): string | undefined {
  const at = key.lastIndexOf('node_modules/');
  return at < 0 ? undefined : key.slice(at + 'node_modules/'.length);
}

/** Lockfile v1: nested `dependencies` objects, each with `requires` naming what it needs. */
function readV1(deps: unknown, into: LockedPackages): void {
  if (!deps || typeof deps !== 'object') return;
  for (const [name, raw] of Object.entries(deps as Record<string, NpmEntry & { dependencies?: unknown }>)) {
    if (!raw || typeof raw !== 'object') continue;
    addCopy(into, name, {
      version: text(raw.version),
      integrity: text(raw.integrity) || text(raw.resolved),
      dependencies: dependencyNames(raw.requires),
    });
    readV1(raw.dependencies, into);
  }
}

/**
 * Reads npm's `package-lock.json` or `npm-shrinkwrap.json`: v2 and v3 from their `packages`
 * map (links to workspace folders are left out: their files are followed by the import
 * graph), v1 from its nested `dependencies`. Throws on text that is not such a lockfile.
 */
export function readNpmLockfile(source: string): LockedPackages {
  const doc = JSON.parse(source) as { lockfileVersion?: unknown; packages?: unknown; dependencies?: unknown };
  if (!doc || typeof doc !== 'object' || typeof doc.lockfileVersion !== 'number')
    throw new Error('no lockfileVersion: not an npm lockfile');
  const packages: LockedPackages = new Map();
  if (doc.packages && typeof doc.packages === 'object') {
    for (const [key, raw] of Object.entries(doc.packages as Record<string, NpmEntry>)) {
      // The folder name, not `name`: an alias (`"x": "npm:y@1"`) is imported and depended on as `x`.
      // Keys outside node_modules are the root and workspace folders, whose files the import graph follows.
      const name = nameOfKey(key);
      if (!name || !raw || raw.link === true) continue;
      addCopy(packages, name, {
        version: text(raw.version),
        integrity: text(raw.integrity) || text(raw.resolved),
        dependencies: dependencyNames(raw.dependencies, raw.optionalDependencies, raw.peerDependencies),
      });
    }
    return packages;
  }
  if (doc.lockfileVersion === 1) {
    readV1(doc.dependencies, packages);
    return packages;
  }
  throw new Error(`lockfileVersion ${doc.lockfileVersion} without a packages map`);
}
