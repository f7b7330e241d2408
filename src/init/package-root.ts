import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the installed pulumi-gitops package (or of this repository when run from
 * source): the nearest folder above this module whose package.json is named `pulumi-gitops`.
 * The CI templates `gitops init` copies are read from there.
 */
export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'pulumi-gitops') return dir;
  }
  throw new Error(`no pulumi-gitops package.json above ${from}`);
}
