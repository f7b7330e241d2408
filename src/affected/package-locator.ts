import type { LocatorHit, LocatorInput, PackageChange } from './model.js';
import type { ProgramReach } from './program-reach.js';

/** True when a change to a package file in `dir` can concern the program: it is at the root, around the program's folder, inside it, or beside a file the program imports. */
function inScope(dir: string, programFolder: string, reach: ProgramReach | undefined): boolean {
  if (dir === '' || programFolder === dir || programFolder.startsWith(`${dir}/`) || dir.startsWith(`${programFolder}/`)) return true;
  for (const f of reach?.files ?? []) if (f.startsWith(`${dir}/`)) return true;
  return false;
}

/**
 * The changed packages a program reaches, each with one shortest chain of package names
 * from a package the program imports: a breadth-first walk over the lockfile's dependency
 * records, from every imported package at once.
 */
export function reachedChanges(imported: Iterable<string>, change: PackageChange): { name: string; via: string[] }[] {
  const parent = new Map<string, string | null>();
  const queue: string[] = [];
  for (const name of [...imported].sort()) {
    parent.set(name, null);
    queue.push(name);
  }
  const found: { name: string; via: string[] }[] = [];
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i]!;
    if (change.packages.has(name)) {
      const via = [name];
      for (let p = parent.get(name); p; p = parent.get(p)) via.unshift(p);
      found.push({ name, via });
    }
    for (const dep of [...(change.edges.get(name) ?? [])].sort()) {
      if (parent.has(dep)) continue;
      parent.set(dep, name);
      queue.push(dep);
    }
  }
  return found;
}

/**
 * Lockfiles and package.json files: a stack is affected when its program reaches, by its
 * imports and then the lockfile's dependency records, a package whose resolved version or
 * integrity changed (in a package.json: whose wanted range changed). Packages no program
 * reaches (the tool's own, dev tools) affect no stack. A file that cannot be narrowed to
 * packages affects every stack in its scope.
 */
export const packageLocator = ({ stacks, programsDir, packageChanges, reach }: LocatorInput): LocatorHit[] => {
  const hits: LocatorHit[] = [];
  for (const change of packageChanges ?? []) {
    for (const s of stacks) {
      const programReach = reach?.get(s.program);
      if (!inScope(change.dir, `${programsDir}/${s.program}`, programReach)) continue;
      if (change.everything !== undefined) {
        hits.push({ stack: s.name, reason: { kind: 'lockfile', path: change.path, detail: change.everything } });
        continue;
      }
      for (const { name, via } of reachedChanges(programReach?.packages ?? [], change)) {
        const delta = change.packages.get(name)!;
        hits.push({ stack: s.name, reason: { kind: 'package', path: change.path, package: name, from: delta.from, to: delta.to, via } });
      }
    }
  }
  return hits;
};
