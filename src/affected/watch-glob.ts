import { createRequire } from 'node:module';

type Matcher = (file: string) => boolean;
type Picomatch = (pattern: string, options: { dot: boolean }) => Matcher;

// picomatch ships no types; this is the one call used.
const picomatch = createRequire(import.meta.url)('picomatch') as Picomatch;

/** True when a `watch` entry has glob syntax; a plain path stands for itself and everything below it. */
function isGlob(pattern: string): boolean {
  return /[*?[\]{}()!+@]/.test(pattern);
}

/**
 * A matcher for one `watch` entry of a stack file, over repository-relative paths with `/`
 * separators. Globs are picomatch's (`**` crosses folders, `*` does not, dot files match);
 * a plain path such as `charts/api` matches that file or anything below that folder.
 */
export function watchMatcher(pattern: string): Matcher {
  const clean = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!isGlob(clean)) return (file) => file === clean || file.startsWith(`${clean}/`);
  const matches = picomatch(clean, { dot: true });
  // One argument only: picomatch's second one asks for a result object, which is always truthy.
  return (file) => matches(file);
}
