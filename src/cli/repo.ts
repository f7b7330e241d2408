import { layoutOf as layoutAt, openRepo as open, type Repo, type RepoPlace } from '../actions/repo.js';
import type { RepoLayout } from '../repo/layout.js';
import type { CliEnv } from './io.js';
import type { GlobalArgs } from './options/common.js';

/** The repository `--cwd` and `--stacks` name, or the current folder. */
export function placeOf(cli: CliEnv, args: Pick<GlobalArgs, 'cwd' | 'stacks'>): RepoPlace {
  return { cwd: args.cwd ?? cli.cwd, ...(args.stacks !== undefined ? { stacks: args.stacks } : {}) };
}

/** Finds the repository and loads every stack file; throws STACK_INVALID listing every problem. */
export function openRepo(cli: CliEnv, args: Pick<GlobalArgs, 'cwd' | 'stacks'>): Promise<Repo> {
  return open(placeOf(cli, args));
}

/** The repository's layout, without loading its stacks. */
export function layoutOf(cli: CliEnv, args: Pick<GlobalArgs, 'cwd' | 'stacks'>): RepoLayout {
  return layoutAt(placeOf(cli, args));
}
