import type { ForgeUser, IgnoredApproval } from './forge.js';
import { isBot, sameUser } from './identity.js';

/*
 * GitHub reviews -> who may count. A review belongs to the commit it was submitted on
 * (`commit_id`); GitHub keeps an approval across later pushes unless the repository dismisses
 * stale reviews, so we count only approvals of the PR's final head commit ourselves.
 */

/** The parts of a GitHub review we read (GET /repos/{owner}/{repo}/pulls/{n}/reviews). */
export interface ReviewRecord {
  id: number;
  user?: { login: string; type?: string } | null;
  state: string;
  commit_id?: string | null;
  submitted_at?: string | null;
}

export interface ReviewFacts {
  /** Login of the PR's author. */
  author?: string;
  /** The PR's final head commit. */
  headSha?: string;
  /** The user behind our token. */
  self: ForgeUser;
  /** Logins that authored or committed (pushed) any of the pull request's commits: they wrote some of it. */
  committers?: readonly string[];
}

/** Before the write-access check: who would approve, who would block, and what is ignored already. */
export interface ReviewTally {
  /** Latest review APPROVED, on the head commit, by a person other than the author and us. */
  approving: string[];
  /** Latest review CHANGES_REQUESTED: blocks if its author has write access. */
  requestingChanges: string[];
  ignored: IgnoredApproval[];
}

const short = (sha: string | null | undefined): string => (sha ? sha.slice(0, 12) : 'an unknown commit');

/** Each reviewer's latest APPROVED / CHANGES_REQUESTED / DISMISSED review decides; comments do not. Pure. */
export function tallyReviews(reviews: readonly ReviewRecord[], facts: ReviewFacts): ReviewTally {
  const chronological = [...reviews].sort((a, b) => (a.submitted_at ?? '').localeCompare(b.submitted_at ?? '') || a.id - b.id);
  const latest = new Map<string, ReviewRecord>();
  for (const review of chronological) {
    if (review.user && review.state !== 'COMMENTED' && review.state !== 'PENDING') latest.set(review.user.login, review);
  }
  const tally: ReviewTally = { approving: [], requestingChanges: [], ignored: [] };
  for (const [login, review] of latest) {
    if (review.state === 'CHANGES_REQUESTED') tally.requestingChanges.push(login);
    if (review.state !== 'APPROVED') continue;
    const reason = isBot(login, review.user?.type === 'Bot')
      ? 'a bot'
      : sameUser({ username: login }, facts.self)
        ? 'the user behind our token'
        : facts.author !== undefined && sameUser({ username: login }, { username: facts.author })
          ? 'the author of the pull request'
          : facts.committers?.some((c) => sameUser({ username: login }, { username: c }))
            ? 'an author or committer of its commits'
            : !facts.headSha || review.commit_id !== facts.headSha
              ? `approved ${short(review.commit_id)}, not the final commit ${short(facts.headSha)}`
              : undefined;
    if (reason) tally.ignored.push({ user: login, reason });
    else tally.approving.push(login);
  }
  return tally;
}
