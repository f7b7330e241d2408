import { parse } from 'yaml';
import { addCopy, dependencyNames, type LockedPackages, splitNameAt } from './model.js';

interface PnpmEntry {
  resolution?: { integrity?: unknown; tarball?: unknown; directory?: unknown; repo?: unknown; commit?: unknown };
  version?: unknown;
  dependencies?: unknown;
  optionalDependencies?: unknown;
  peerDependencies?: unknown;
}

/**
 * The name and version of a `packages`/`snapshots` key: `name@1.0.0` (v9), `/name@1.0.0(peer@2.0.0)`
 * (v6), `/name/1.0.0_peer@2.0.0` (v5). Peer suffixes are left out: they name other packages.
 */
export function pnpmKey(key: string, version: string): { name: string; version: string } | undefined {
  const bare = key.replace(/^\//, '').replace(/\(.*$/, '');
  if (version.startsWith('5')) {
    const noPeers = bare.replace(/_.*$/, '');
    const slash = noPeers.lastIndexOf('/');
    return slash <= 0 ? undefined : { name: noPeers.slice(0, slash), version: noPeers.slice(slash + 1) };
  }
  const split = splitNameAt(bare);
  return split && { name: split.name, version: split.rest };
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Reads pnpm's `pnpm-lock.yaml` (lockfile versions 5, 6 and 9). In v9 the resolution sits in
 * `packages` and the dependencies in `snapshots`; both are joined by the package key.
 */
export function readPnpmLockfile(source: string): LockedPackages {
  const doc = parse(source) as { lockfileVersion?: unknown; packages?: unknown; snapshots?: unknown } | null;
  if (!doc || typeof doc !== 'object' || doc.lockfileVersion === undefined) throw new Error('no lockfileVersion: not a pnpm lockfile');
  const version = String(doc.lockfileVersion);
  const entries = (doc.packages ?? {}) as Record<string, PnpmEntry>;
  const snapshots = (doc.snapshots ?? {}) as Record<string, PnpmEntry>;
  const packages: LockedPackages = new Map();
  const integrityOf = (e: PnpmEntry | undefined) => {
    const r = e?.resolution;
    return r ? text(r.integrity) || text(r.tarball) || text(r.directory) || `${text(r.repo)}#${text(r.commit)}` : '';
  };
  const keys = Object.keys(snapshots).length > 0 ? Object.keys(snapshots) : Object.keys(entries);
  for (const key of keys) {
    const id = pnpmKey(key, version);
    if (!id) continue;
    const snap = snapshots[key] ?? entries[key];
    const entry = entries[key] ?? entries[`${id.name}@${id.version}`];
    addCopy(packages, id.name, {
      version: text(entry?.version) || id.version,
      integrity: integrityOf(entry),
      dependencies: dependencyNames(snap?.dependencies, snap?.optionalDependencies, entry?.peerDependencies),
    });
  }
  return packages;
}
