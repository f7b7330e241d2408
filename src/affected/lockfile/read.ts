import { posix } from 'node:path';
import type { LockedPackages } from './model.js';
import { readNpmLockfile } from './npm.js';
import { readPnpmLockfile } from './pnpm.js';
import { readYarnLockfile } from './yarn.js';

const readers: Record<string, (source: string) => LockedPackages> = {
  'package-lock.json': readNpmLockfile,
  'npm-shrinkwrap.json': readNpmLockfile,
  'pnpm-lock.yaml': readPnpmLockfile,
  'yarn.lock': readYarnLockfile,
};

/** True for the file names of the lockfiles read: npm's, pnpm's and yarn's. */
export function isLockfile(file: string): boolean {
  return Object.hasOwn(readers, posix.basename(file));
}

/** Reads a lockfile by its file name. Throws, naming the cause, when the text is not one. */
export function readLockfile(file: string, source: string): LockedPackages {
  const read = readers[posix.basename(file)];
  if (!read) throw new Error(`${file} is not a lockfile this tool reads`);
  return read(source);
}
