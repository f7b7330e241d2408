import { existsSync } from 'node:fs';
import path from 'node:path';

/** The first `name` in the folders of `env.PATH`, or undefined. The one PATH lookup of the toolchain code. */
export function onPath(env: NodeJS.ProcessEnv, name: string): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    // An empty entry means the current folder to a shell; we never want a binary from there.
    const candidate = dir && path.join(dir, name);
    if (candidate && existsSync(candidate)) return candidate;
  }
  return undefined;
}
