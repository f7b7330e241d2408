import { GitopsError } from '../errors/gitops-error.js';
import type { GitReader, RangeFacts } from '../git/git.js';

/** Progress of the history search, for the host to print. */
export type HistoryEvent = { type: 'deepen'; by: number } | { type: 'unshallow' } | { type: 'history-missing'; message: string };

/** How to look for the merge-base in a shallow clone. */
export interface HistoryOptions {
  /**
   * How many commits each `git fetch --deepen` adds while the merge-base is not found in a
   * shallow clone; after the last step comes `git fetch --unshallow`. Default: 50, 200, 1000.
   */
  deepenSteps?: readonly number[];
  onEvent?: (event: HistoryEvent) => void;
}

/** Both ends of the range as commits, and where the diff starts. */
export interface History {
  base: string;
  head: string;
  mergeBase: string;
}

/** Commits fetched per step: most merge requests need one step, long-lived branches a few. */
export const defaultDeepenSteps: readonly number[] = [50, 200, 1000];

function missing(message: string, hint: string, cause?: unknown): GitopsError {
  return new GitopsError({ code: 'HISTORY_MISSING', kind: 'user', message, hint, cause });
}

/**
 * Resolves base and head and finds their merge-base. In a shallow clone (the CI default)
 * it fetches more history step by step until both refs resolve and share an ancestor.
 * Throws HISTORY_MISSING when they never do, so that "no history" is never mistaken for
 * "nothing changed"; USAGE for a ref unknown in a complete clone.
 */
export async function findMergeBase(
  git: GitReader,
  base: string,
  head: string,
  options: HistoryOptions = {},
  known?: RangeFacts,
): Promise<History> {
  const steps = options.deepenSteps ?? defaultDeepenSteps;
  let facts = known ?? (await git.inspectRange(base, head));
  let fetched = 0;
  for (;;) {
    if (facts.base && facts.head && facts.mergeBase) return { base: facts.base, head: facts.head, mergeBase: facts.mergeBase };
    const unknownRef = !facts.base ? base : !facts.head ? head : undefined;
    if (!facts.shallow || fetched > steps.length) {
      if (unknownRef && fetched === 0) {
        // A complete clone has every commit: the ref given is simply not one (a typo, a branch never fetched).
        const flag = unknownRef === base ? '--base' : '--head';
        throw new GitopsError({
          code: 'USAGE',
          kind: 'user',
          message: `${flag} ${unknownRef}: not a commit in this repository; nothing ran`,
          hint: 'give a branch, tag or commit that `git rev-parse` resolves here (fetch it first if it is remote)',
        });
      }
      const why = unknownRef
        ? `"${unknownRef}" was not found, even after fetching the whole history`
        : `${base} and ${head} have no common ancestor${fetched > 0 ? ', even after fetching the whole history' : ''}`;
      throw missing(
        `cannot tell which stacks changed: ${why}`,
        'fetch the base branch with its history (git fetch origin <base>), or pass --all-on-missing-history to treat every stack as affected',
      );
    }
    const by = steps[fetched];
    options.onEvent?.(by === undefined ? { type: 'unshallow' } : { type: 'deepen', by });
    try {
      await (by === undefined ? git.unshallow() : git.deepen(by));
    } catch (err) {
      throw missing(
        `cannot tell which stacks changed: the clone is shallow and fetching more history failed (${err instanceof Error ? err.message : String(err)})`,
        'fetch more history before running (GIT_DEPTH: 0 in GitLab CI, fetch-depth: 0 in GitHub Actions), or pass --all-on-missing-history',
        err,
      );
    }
    fetched++;
    facts = await git.inspectRange(base, head);
  }
}
