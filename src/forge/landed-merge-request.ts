import type { LandedCommit, MergeRequestRef } from './forge.js';

/*
 * Which merge request landed a commit on the default branch. A commit belongs to many MRs
 * (open ones that contain it, closed ones, MRs into other branches); approvals count only
 * from the one merged MR into the default branch that created or fast-forwarded to it.
 */

const sameSha = (a: string | undefined, b: string): boolean => a !== undefined && a.length > 0 && a.toLowerCase() === b.toLowerCase();

/** Why `mr` did not land `sha` on `defaultBranch`, or undefined when it did. Pure. */
export function notLandedBecause(mr: MergeRequestRef, sha: string, defaultBranch: string): string | undefined {
  if (mr.state !== 'merged') return `merge request #${mr.number} is ${mr.state}, not merged`;
  if (mr.targetBranch !== defaultBranch)
    return `merge request #${mr.number} targets ${mr.targetBranch ?? 'an unknown branch'}, not the default branch ${defaultBranch}`;
  if (![mr.mergeCommitSha, mr.squashCommitSha, mr.headSha].some((c) => sameSha(c, sha))) {
    return `commit ${sha.slice(0, 12)} is not the merge, squash or head commit of merge request #${mr.number}`;
  }
  return undefined;
}

/** The MR among `candidates` that landed `sha` on `defaultBranch`; no fallback to any other. Pure. */
export function landedBy(candidates: readonly MergeRequestRef[], sha: string, defaultBranch: string): MergeRequestRef | undefined {
  return candidates.find((mr) => notLandedBecause(mr, sha, defaultBranch) === undefined);
}

/** `lookup` for each commit in order, one request at a time (forges rate-limit bursts). */
export async function landedEach(
  commits: readonly string[],
  lookup: (sha: string) => Promise<MergeRequestRef | undefined>,
): Promise<LandedCommit[]> {
  const out: LandedCommit[] = [];
  for (const commit of commits) out.push({ commit, mergeRequest: await lookup(commit) });
  return out;
}
