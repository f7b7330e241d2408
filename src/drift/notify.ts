import type { DriftReport } from '../api/drift-report.js';
import type { Forge } from '../forge/forge.js';
import { bodyBudget } from '../forge/markers.js';
import { stackDriftMarkdown } from '../report/drift-markdown.js';
import { ciLinks, fitToLimit } from '../report/markdown.js';
import { redactDeep } from '../secrets/redact-deep.js';

export interface NotifyOutcome {
  stack: string;
  action: 'opened' | 'updated' | 'unchanged' | 'closed' | 'none';
  url?: string;
}

export function driftIssueKey(stack: string): string {
  return `drift:${stack}`;
}

/**
 * Keeps one forge issue per stack in step with its drift: opened when drift first appears,
 * updated on each run while it lasts, closed when it clears or was remediated. Stacks whose
 * check failed are left as they are: a failed check says nothing about drift.
 */
export async function notifyDrift(
  reports: readonly DriftReport[],
  forge: Forge,
  redact: (text: string) => string,
  meta: { commit?: string; time: Date; pipelineUrl?: string; jobUrl?: string },
): Promise<NotifyOutcome[]> {
  const outcomes: NotifyOutcome[] = [];
  const { commit, pipelineUrl, jobUrl } = redactDeep({ commit: meta.commit, pipelineUrl: meta.pipelineUrl, jobUrl: meta.jobUrl }, redact);
  const runLine = [
    `Last checked ${meta.time.toISOString()}`,
    commit ? `at commit \`${commit.slice(0, 12)}\`` : '',
    ciLinks(pipelineUrl, jobUrl) ? `(${ciLinks(pipelineUrl, jobUrl)})` : '',
  ]
    .filter(Boolean)
    .join(' ');
  // Redacted first: the issue body escapes and cuts values.
  for (const r of redactDeep(reports, redact)) {
    const key = driftIssueKey(r.name);
    if (r.status !== 'succeeded') continue;
    if (r.action === 'reported' || r.action === 'blocked') {
      const body = fitToLimit(
        `Stack **${r.name}** differs from what Git declares.\n\n${runLine}`,
        [stackDriftMarkdown(r)],
        'This issue is kept up to date by `gitops drift --notify` and closes itself when the drift clears.',
        bodyBudget(forge.platform, key),
      );
      const result = await forge.upsertIssue(key, { title: `Drift on stack ${r.name}`, body, labels: ['gitops', 'drift'] });
      outcomes.push({ stack: r.name, action: result.action, url: result.url });
    } else {
      const why =
        r.action === 'remediated' ? 'Remediated: the stack was refreshed and brought back to what Git declares.' : 'The drift cleared.';
      const closed = await forge.closeIssue(key, `${why} ${runLine}`);
      outcomes.push({ stack: r.name, action: closed ? 'closed' : 'none', url: closed?.url });
    }
  }
  return outcomes;
}
