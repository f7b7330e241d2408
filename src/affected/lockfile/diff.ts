import type { LockedPackages } from './model.js';

/** How one package differs between two readings: its versions before and after ('' when absent). */
export interface PackageDelta {
  from: string;
  to: string;
}

/** The versions of a package's copies, sorted and joined: what `--explain` shows. */
function versions(packages: LockedPackages | undefined, name: string): string {
  return [...new Set((packages?.get(name) ?? []).map((c) => c.version || '?'))].sort().join(', ');
}

function fingerprint(packages: LockedPackages | undefined, name: string): string {
  return (packages?.get(name) ?? [])
    .map((c) => `${c.version}\0${c.integrity}`)
    .sort()
    .join('\n');
}

/**
 * The packages whose installed copies differ (a version or integrity changed, a copy added
 * or removed) between two readings of a lockfile; `undefined` stands for a lockfile that
 * did not exist. Pure.
 */
export function diffLocked(base: LockedPackages | undefined, head: LockedPackages | undefined): Map<string, PackageDelta> {
  const names = new Set([...(base?.keys() ?? []), ...(head?.keys() ?? [])]);
  const changed = new Map<string, PackageDelta>();
  for (const name of names) {
    if (fingerprint(base, name) !== fingerprint(head, name)) changed.set(name, { from: versions(base, name), to: versions(head, name) });
  }
  return changed;
}

/** Package name -> the names its copies depend on, in both readings together. */
export function dependencyEdges(...readings: (LockedPackages | undefined)[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const packages of readings) {
    for (const [name, copies] of packages ?? []) {
      const out = edges.get(name) ?? new Set<string>();
      edges.set(name, out);
      for (const c of copies) for (const d of c.dependencies) out.add(d);
    }
  }
  return edges;
}
