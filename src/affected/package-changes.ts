import { posix } from 'node:path';
import type { ChangedFile } from '../git/name-status.js';
import { touched } from './locators.js';
import { dependencyEdges, diffLocked } from './lockfile/diff.js';
import { diffManifest } from './lockfile/manifest.js';
import { isLockfile, readLockfile } from './lockfile/read.js';
import type { PackageChange } from './model.js';

/** Reads a file on one side of the change; undefined when it does not exist there. */
export type SideReader = (file: string) => Promise<string | undefined>;

/** Both sides of the change; absent when there is no base to compare with (`--files`). */
export interface PackageSides {
  base: SideReader;
  head: SideReader;
}

/** True for the files this module reads: package.json and npm's, pnpm's and yarn's lockfiles. */
export function isPackageFile(file: string): boolean {
  return posix.basename(file) === 'package.json' || isLockfile(file);
}

const noBase = 'there is no base to compare it with';

/** One line: parser messages can quote the offending text over several. */
const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();

function emptyChange(file: string): PackageChange {
  const dir = posix.dirname(file) === '.' ? '' : posix.dirname(file);
  return { path: file, dir, packages: new Map(), edges: new Map() };
}

async function readChange(file: string, sides: PackageSides | undefined): Promise<PackageChange> {
  const change = emptyChange(file);
  if (!sides) return { ...change, everything: noBase };
  const [before, after] = await Promise.all([sides.base(file), sides.head(file)]);
  if (isLockfile(file)) {
    const read = (text: string | undefined, side: string) => {
      try {
        return text === undefined ? undefined : readLockfile(file, text);
      } catch (err) {
        throw new Error(`cannot be read at the ${side}: ${reasonOf(err)}`);
      }
    };
    try {
      const base = read(before, 'base');
      const head = read(after, 'head');
      return { ...change, packages: diffLocked(base, head), edges: dependencyEdges(base, head) };
    } catch (err) {
      return { ...change, everything: reasonOf(err) };
    }
  }
  try {
    const diff = diffManifest(before, after);
    const everything =
      diff.fields.length > 0 ? `its field${diff.fields.length > 1 ? 's' : ''} ${diff.fields.join(', ')} changed` : undefined;
    return { ...change, packages: diff.packages, ...(everything ? { everything } : {}) };
  } catch (err) {
    return { ...change, everything: `cannot be read: ${reasonOf(err)}` };
  }
}

function packageFiles(changes: readonly ChangedFile[]): string[] {
  return [...new Set(touched(changes).filter(isPackageFile))].sort();
}

/** The changed package files when only their names are known (`--files`): each affects every stack in its scope. */
export function unreadPackageChanges(changes: readonly ChangedFile[]): PackageChange[] {
  return packageFiles(changes).map((f) => ({ ...emptyChange(f), everything: noBase }));
}

/**
 * Reads every changed lockfile and package.json on both sides and says which packages
 * changed. A file that cannot be read, or changes without a base to compare with, is marked
 * `everything`: it affects every stack in its scope, never none.
 */
export async function readPackageChanges(changes: readonly ChangedFile[], sides: PackageSides | undefined): Promise<PackageChange[]> {
  return Promise.all(packageFiles(changes).map((f) => readChange(f, sides)));
}
