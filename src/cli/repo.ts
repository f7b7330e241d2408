import { findLayout, type RepoLayout } from '../repo/layout.js';
import { loadStacks, type StackCatalog } from '../stacks/load.js';
import type { CliEnv } from './io.js';
import type { GlobalArgs } from './options.js';

export interface Repo {
  layout: RepoLayout;
  catalog: StackCatalog;
}

/** The repository's layout from `--cwd`/`--stacks`, or the current folder. */
export function layoutOf(cli: CliEnv, args: Pick<GlobalArgs, 'cwd' | 'stacks'>): RepoLayout {
  return findLayout(args.cwd ?? cli.cwd, args.stacks);
}

/** Finds the repository and loads every stack file; throws STACK_INVALID listing every problem. */
export async function openRepo(cli: CliEnv, args: Pick<GlobalArgs, 'cwd' | 'stacks'>): Promise<Repo> {
  const layout = layoutOf(cli, args);
  return { layout, catalog: await loadStacks(layout) };
}
