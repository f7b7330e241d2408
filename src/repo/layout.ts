import { existsSync, statSync } from 'node:fs';
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

/** `stacksDir` (relative to the root) picks another catalogue, e.g. `examples/stacks`. */
export function layoutAt(root: string, stacksDir = 'stacks'): RepoLayout {
  const abs = path.resolve(root);
  return {
    root: abs,
    stacksDir: path.resolve(abs, stacksDir),
    programsDir: path.join(abs, 'programs'),
    workDir: path.join(abs, '.gitops'),
  };
}

/**
 * Finds the repository root: the nearest folder, from `start` up, holding `stacks/` and `Pulumi.yaml`.
 * The catalogue folder (`stacksDir`, default `stacks`) must exist: a missing one is a mistake,
 * never an empty catalogue that would plan nothing and succeed.
 */
export function findLayout(start: string, stacksDir?: string): RepoLayout {
  let dir = path.resolve(start);
  let projectOnly: string | undefined;
  for (;;) {
    const hasProject = existsSync(path.join(dir, 'Pulumi.yaml'));
    if (hasProject && existsSync(path.join(dir, 'stacks'))) {
      const layout = layoutAt(dir, stacksDir);
      checkCatalogueFolder(layout);
      return layout;
    }
    if (hasProject) projectOnly ??= dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (projectOnly) {
    throw userError(
      'USAGE',
      `${projectOnly} has a Pulumi.yaml but no stacks/ folder, the stack catalogue`,
      'create stacks/ with one <stack>.yaml per stack, or pass --cwd the repository that has it',
    );
  }
  throw userError(
    'USAGE',
    `no GitOps repository found from ${start}: no folder holds both stacks/ and Pulumi.yaml`,
    'run gitops inside the repository, or pass --cwd',
  );
}

/** Throws a USAGE error naming the catalogue folder when it is missing or not a folder. */
export function checkCatalogueFolder(layout: RepoLayout): void {
  const shown = path.relative(layout.root, layout.stacksDir) || '.';
  let isDir: boolean;
  try {
    isDir = statSync(layout.stacksDir).isDirectory();
  } catch {
    throw userError(
      'USAGE',
      `the stack catalogue folder ${shown} does not exist (in ${layout.root})`,
      'pass --stacks a folder of stack files, relative to the repository root',
    );
  }
  if (!isDir) throw userError('USAGE', `the stack catalogue ${shown} is a file, not a folder of stack files (in ${layout.root})`);
}
