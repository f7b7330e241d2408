import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let found: string | undefined;

/**
 * The folder of gitops's Pulumi plugins (`bin/plugins/`: the program host's
 * `pulumi-language-gitops`), found upwards from this module, which runs from `src/` or `dist/`.
 * The engine puts it first on the CLI's PATH.
 */
export function hostPluginDir(): string {
  if (found) return found;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'bin', 'plugins');
    if (existsSync(path.join(candidate, 'pulumi-language-gitops'))) {
      found = candidate;
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`gitops's plugin folder (bin/plugins) is missing above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
