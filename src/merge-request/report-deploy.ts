import type { StackResult } from '../engine/result.js';
import { asGitopsError } from '../errors/gitops-error.js';
import type { Forge, MergeRequestRef } from '../forge/forge.js';
import { bodyBudget } from '../forge/markers.js';
import { deployMarkdown } from '../report/deploy-markdown.js';
import { commitStateOf, deployOutcomes, statusLine } from '../report/deploy-outcome.js';
import { redactDeep } from '../secrets/redact-deep.js';

/*
 * Deploy reports back: a commit status per stack on the deployed commit, and one comment per
 * deploy run on each merge request the push landed. Reporting never changes the deploy's
 * outcome: a forge that fails here is a warning, printed, and the exit code stays the deploy's.
 */

export interface DeployReportInput {
  results: readonly StackResult[];
  /** The deployed commit: the statuses go on it. */
  commit: string;
  /** The first-parent commits the push landed (one for a single merge): their merge requests get the comment. */
  commits: readonly string[];
}

export interface DeployReported {
  /** Statuses set. */
  statuses: number;
  comments: { mergeRequest: number; action: string; url?: string }[];
  /** What failed, as printed. */
  warnings: string[];
}

/** The marker key of a run's comment: the pipeline's id, so a retried job updates its own comment. */
export function deployCommentKey(forge: Pick<Forge, 'run'>, commit: string): string {
  return `deploy:${forge.run.id ?? commit.slice(0, 12)}`;
}

function uniqueMergeRequests(landed: readonly { mergeRequest?: MergeRequestRef }[]): MergeRequestRef[] {
  const seen = new Map<number, MergeRequestRef>();
  for (const l of landed) if (l.mergeRequest && !seen.has(l.mergeRequest.number)) seen.set(l.mergeRequest.number, l.mergeRequest);
  return [...seen.values()];
}

/**
 * Reports a deploy to the forge. Each failure becomes one warning (`warn` prints it); after the
 * first failed status the rest are not tried, since a forge that is down would make each wait
 * out its retries. `redact` removes known secrets from everything posted.
 */
export async function reportDeploy(
  forge: Forge,
  input: DeployReportInput,
  redact: (text: string) => string,
  warn: (message: string) => void,
): Promise<DeployReported> {
  const reported: DeployReported = { statuses: 0, comments: [], warnings: [] };
  const fail = (what: string, err: unknown): void => {
    const message = `deploy report: ${what}: ${asGitopsError(err).message}`;
    reported.warnings.push(message);
    warn(message);
  };
  // Redacted first: the comment escapes, collapses whitespace and cuts each detail.
  const outcomes = redactDeep(deployOutcomes(input.results), redact);
  const targetUrl = forge.run.jobUrl ?? forge.run.url;
  for (const o of outcomes) {
    const state = commitStateOf(o.kind);
    if (!state) continue;
    const name = `gitops/${o.stack}`;
    try {
      await forge.setCommitStatus(input.commit, { name, state, description: statusLine(o), ...(targetUrl ? { targetUrl } : {}) });
      reported.statuses++;
    } catch (err) {
      fail(`could not set commit status ${name} on ${input.commit.slice(0, 12)} (the deploy's result stands)`, err);
      break;
    }
  }
  let mergeRequests: MergeRequestRef[];
  try {
    mergeRequests = uniqueMergeRequests(await forge.landedMergeRequests(input.commits));
  } catch (err) {
    fail("could not find the merged merge requests to comment on (the deploy's result stands)", err);
    return reported;
  }
  const key = deployCommentKey(forge, input.commit);
  const body = deployMarkdown({ outcomes, commit: input.commit, run: forge.run, limit: bodyBudget(forge.platform, key) });
  for (const mr of mergeRequests) {
    try {
      const c = await forge.upsertMergeRequestComment(key, body, mr.number);
      reported.comments.push({ mergeRequest: mr.number, action: c.action, ...(c.url ? { url: c.url } : {}) });
    } catch (err) {
      fail(`could not comment on merge request #${mr.number} (the deploy's result stands)`, err);
    }
  }
  return reported;
}
