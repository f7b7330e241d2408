import { existsSync } from 'node:fs';
import path from 'node:path';
import { userError } from '../errors/gitops-error.js';

/** Where things live in a GitOps repository. Paths are absolute. */
export interface RepoLayout {
  root: string;
  stacksDir: string;
  programsDir: string;
  /** Ignored by git: per-stack workspaces, the default state backend, the demo's files. */
  workDir: string;
}

/** `stacksDir` (relative to the root) picks another catalogue, e.g. `stacks/examples`. */
export function layoutAt(root: string, stacksDir = 'stacks'): RepoLayout {
  const abs = path.resolve(root);
  return {
    root: abs,
    stacksDir: path.resolve(abs, stacksDir),
    programsDir: path.join(abs, 'programs'),
    workDir: path.join(abs, '.gitops'),
  };
}

/** Finds the repository root: the nearest folder, from `start` up, holding `stacks/` and `Pulumi.yaml`. */
export function findLayout(start: string, stacksDir?: string): RepoLayout {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'stacks')) && existsSync(path.join(dir, 'Pulumi.yaml'))) return layoutAt(dir, stacksDir);
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw userError('USAGE', `no GitOps repository found from ${start}: no folder holds both stacks/ and Pulumi.yaml`, 'run gitops inside the repository, or pass --cwd');
    }
    dir = parent;
  }
}
