import { userError } from '../errors/gitops-error.js';
import type { GitReader } from '../git/git.js';

/**
 * Where a stack's recorded deployed commit stands against the commit about to be deployed:
 * - `none`: no deploy on record;
 * - `forward`: on the default branch's first-parent history and an ancestor of (or equal to) the
 *   head: deploying the head moves the stack forward;
 * - `behind`: on the default branch, but not an ancestor of the head (a stale pipeline, an older
 *   checkout): deploying the head would move the stack backwards, so it is refused;
 * - `untrusted`: not on the default branch's history (a commit of a merge request branch, a tag
 *   written by something that could write the state): treated as unknown, so the stack gets the
 *   full rules of the base and is deployed in full;
 * - `missing`: not in this clone, so nothing can be told (callers fail closed).
 */
export type DeployedStanding =
  | { kind: 'none' }
  | { kind: 'forward' | 'behind'; commit: string }
  | { kind: 'untrusted'; commit: string }
  | { kind: 'missing'; recorded: string };

/** Reads where recorded deployed commits stand; the default branch's history is read once. */
export type StandingOf = (recorded: string | undefined) => Promise<DeployedStanding>;

/**
 * The standing of recorded commits against `head` (a full sha), trusting only the first-parent
 * history of the default branch: `origin/<branch>` and the local branch, whichever exist (a
 * repository without a remote has only the local one).
 */
export function deployedStanding(git: GitReader, defaultBranch: string, head: string): StandingOf {
  let history: Promise<Set<string>> | undefined;
  const trusted = () => {
    history ??= (async () => {
      const tips = (await git.inspect([`refs/remotes/origin/${defaultBranch}`, `refs/heads/${defaultBranch}`])).commits;
      const lists = await Promise.all(tips.flatMap((t) => (t === undefined ? [] : [git.firstParentHistory(t)])));
      return new Set(lists.flat());
    })();
    return history;
  };
  const standing = async (recorded: string): Promise<DeployedStanding> => {
    const [commit] = (await git.inspect([recorded])).commits;
    if (commit === undefined) return { kind: 'missing', recorded };
    if (!(await trusted()).has(commit)) return { kind: 'untrusted', commit };
    return { kind: (await git.isAncestor(commit, head)) ? 'forward' : 'behind', commit };
  };
  // Many stacks share a deployed commit: git is asked once per commit, not once per stack.
  const known = new Map<string, Promise<DeployedStanding>>();
  return async (recorded) => {
    if (recorded === undefined) return { kind: 'none' };
    const found = known.get(recorded) ?? standing(recorded);
    known.set(recorded, found);
    return found;
  };
}

/** The refusal of a deploy that would move stacks backwards: exit 2, naming each stack and both commits. */
export function backwardsRefusal(head: string, behind: readonly { name: string; commit: string }[]) {
  const each = behind.map((b) => `${b.name} runs ${b.commit.slice(0, 12)}`).join(', ');
  return userError(
    'DEPLOY_REFUSED',
    `deploy refused: ${each}, which commit ${head.slice(0, 12)} does not contain: deploying ${head.slice(0, 12)} would move ${behind.length === 1 ? 'it' : 'them'} backwards`,
    'deploys only move forward on the default branch; run the newest pipeline, and roll back with a revert commit merged through a merge request',
  );
}

/**
 * Forward only, for deploys that read no deploy record otherwise (`deploy --all`/`--stack`):
 * refuses (exit 2) when any of `stacks` runs a default-branch commit that `head` does not contain.
 */
export async function checkForwardOnly(
  git: GitReader,
  defaultBranch: string,
  recorded: readonly { name: string; commit: string | undefined }[],
  head: string,
): Promise<void> {
  const standingOf = deployedStanding(git, defaultBranch, head);
  const behind: { name: string; commit: string }[] = [];
  for (const r of recorded) {
    const st = await standingOf(r.commit);
    if (st.kind === 'behind') behind.push({ name: r.name, commit: st.commit });
  }
  if (behind.length > 0) throw backwardsRefusal(head, behind);
}
