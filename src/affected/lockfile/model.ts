/** One installed copy of a package, as a lockfile records it. */
export interface LockedCopy {
  version: string;
  /** The integrity hash, or the resolved URL/path when the lockfile records no hash; '' when neither. */
  integrity: string;
  /** Names of the packages this copy depends on (dependencies, optional and peer dependencies). */
  dependencies: string[];
}

/** A lockfile read into one shape: every installed copy of every package, by package name. */
export type LockedPackages = Map<string, LockedCopy[]>;

/** Adds one copy under its name. */
export function addCopy(packages: LockedPackages, name: string, copy: LockedCopy): void {
  const list = packages.get(name);
  if (list) list.push(copy);
  else packages.set(name, [copy]);
}

/** The keys of a dependency map, or none when it is not an object. */
export function dependencyNames(...maps: unknown[]): string[] {
  const names = new Set<string>();
  for (const m of maps) if (m && typeof m === 'object' && !Array.isArray(m)) for (const k of Object.keys(m)) names.add(k);
  return [...names];
}

/**
 * Splits `name@version` (or `name@range`, `name@npm:range`) at the `@` that ends the name;
 * a scoped name keeps its leading `@`. Undefined when there is no version part.
 */
export function splitNameAt(descriptor: string): { name: string; rest: string } | undefined {
  const at = descriptor.indexOf('@', 1);
  return at <= 0 ? undefined : { name: descriptor.slice(0, at), rest: descriptor.slice(at + 1) };
}
