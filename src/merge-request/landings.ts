import type { ActionContext } from '../api/action-context.js';
import { affectedStacks } from './change-scope.js';
import type { Landing } from './deploy-merged.js';

/** Landings already computed, by `from..commit`: ranges that overlap share them. */
export type LandingCache = Map<string, Promise<Landing>>;

/**
 * What each of `commits` (first-parent commits after `from`, oldest first) landed: the stacks it
 * changed directly, from its own affected computation against the commit before it. A stack
 * affected only through a dependency is left out: a merge request answers for what it changed.
 */
export async function landingsOf(
  ctx: ActionContext,
  from: string,
  commits: readonly string[],
  cache: LandingCache = new Map(),
): Promise<Landing[]> {
  const quiet = { ...ctx, sink: () => undefined };
  const landings: Landing[] = [];
  let previous = from;
  for (const commit of commits) {
    const key = `${previous}..${commit}`;
    let landing = cache.get(key);
    if (!landing) {
      const base = previous;
      landing = affectedStacks(quiet, { base, head: commit }).then(({ affected }) => ({
        commit,
        stacks: new Set(affected.stacks.filter((s) => !s.reasons.every((r) => r.kind === 'dependency')).map((s) => s.name)),
      }));
      cache.set(key, landing);
    }
    landings.push(await landing);
    previous = commit;
  }
  return landings;
}
