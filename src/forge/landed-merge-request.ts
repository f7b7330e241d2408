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

/**
 * The merged MR that landed each commit, in order, one request at a time (forges rate-limit
 * bursts). A fast-forward or rebase merge of a multi-commit MR puts all its commits on the first
 * parent line, and only the last is the MR's head: an earlier commit with no MR of its own that
 * the forge associates with the MR landing the commit right after it belongs to that MR, so the
 * whole run is one landing, checked against that one MR. Anything else stays unlanded.
 */
export async function landedEach(
  commits: readonly string[],
  candidatesOf: (sha: string) => Promise<MergeRequestRef[]>,
  defaultBranch: string,
): Promise<LandedCommit[]> {
  const found: { commit: string; candidates: MergeRequestRef[]; mergeRequest?: MergeRequestRef }[] = [];
  for (const commit of commits) {
    const candidates = await candidatesOf(commit);
    found.push({ commit, candidates, mergeRequest: landedBy(candidates, commit, defaultBranch) });
  }
  for (let i = found.length - 2; i >= 0; i--) {
    const next = found[i + 1]!.mergeRequest;
    if (found[i]!.mergeRequest || !next) continue;
    if (found[i]!.candidates.some((mr) => mr.number === next.number)) found[i]!.mergeRequest = next;
  }
  return found.map(({ commit, mergeRequest }) => (mergeRequest ? { commit, mergeRequest } : { commit }));
}
