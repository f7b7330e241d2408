// Is dist/ built from the sources as they are now? One stat per source file (about 1 ms),
// so a stale build is never run by mistake after an edit.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The newest modification time (ms) of the driver's sources: src/ and package.json. */
export function newestSource(root) {
  let newest = statSync(path.join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(path.join(root, 'src'));
  return newest;
}

/**
 * True when dist/ exists and no source is newer than the build. An installed package ships
 * dist/ without src/: then the build is all there is.
 */
export function distIsFresh(root) {
  if (!existsSync(path.join(root, 'src'))) return existsSync(path.join(root, 'dist', 'main.js'));
  try {
    const stamp = JSON.parse(readFileSync(path.join(root, 'dist', 'build-stamp.json'), 'utf8'));
    return newestSource(root) <= stamp.newestSourceMs;
  } catch {
    return false;
  }
}
