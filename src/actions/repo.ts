import { findLayout, type RepoLayout } from '../repo/layout.js';
import { loadStacks, type StackCatalog } from '../stacks/load.js';

export interface Repo {
  layout: RepoLayout;
  catalog: StackCatalog;
}

/** Where the repository is: a folder in it, and the stacks folder when not the default. */
export interface RepoPlace {
  cwd: string;
  stacks?: string;
}

/** The repository's layout, found from `place`. */
export function layoutOf(place: RepoPlace): RepoLayout {
  return findLayout(place.cwd, place.stacks);
}

/** Finds the repository and loads every stack file; throws STACK_INVALID listing every problem. */
export async function openRepo(place: RepoPlace): Promise<Repo> {
  const layout = layoutOf(place);
  return { layout, catalog: await loadStacks(layout) };
}
