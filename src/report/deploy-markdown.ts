import type { CiRun } from '../forge/forge.js';
import { type DeployOutcome, type DeployOutcomeKind, outcomeLabel } from './deploy-outcome.js';
import { code, fitToLimit, table } from './markdown.js';

export interface DeployMarkdownInput {
  outcomes: readonly DeployOutcome[];
  /** The deployed commit. */
  commit: string;
  run?: CiRun;
  /** Characters the body may have (the forge's budget under our marker). */
  limit: number;
}

const order: DeployOutcomeKind[] = ['failed', 'cancelled', 'not-deployed', 'waiting-approval', 'deployed', 'destroyed', 'left-alone'];

/** "2 deployed, 1 waiting for approval": counts in a fixed order, worst first. Pure. */
export function outcomeCounts(outcomes: readonly DeployOutcome[]): string {
  const counts = order
    .map((kind) => [kind, outcomes.filter((o) => o.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${outcomeLabel[kind].replace(/^\S+\s/, '')}`);
  return counts.length > 0 ? counts.join(', ') : 'nothing to deploy';
}

const maxDetail = 300;

/** An error or reason as inert text in a table cell: no HTML, cut to a readable length. */
function plain(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(/</g, '&lt;');
  return line.length <= maxDetail ? line : `${line.slice(0, maxDetail - 1)}…`;
}

/** "[pipeline](url) · [job](url)", from what the CI told; '' when it told nothing. */
function links(run: CiRun | undefined): string {
  return [run?.url ? `[pipeline${run.id ? ` ${run.id}` : ''}](${run.url})` : '', run?.jobUrl ? `[job](${run.jobUrl})` : '']
    .filter(Boolean)
    .join(' · ');
}

/**
 * The deploy report: one line of counts, links to the pipeline and job, and one row per stack
 * (outcome, Pulumi update version, detail), worst first; rows that do not fit the limit are left
 * out with a note. The MR comment after a merge and the GitHub job
 * summary. Holds no time, so a retry with the same results leaves the comment unchanged. Pure;
 * the caller redacts.
 */
export function deployMarkdown(input: DeployMarkdownInput): string {
  const failed = input.outcomes.some((o) => ['failed', 'cancelled', 'not-deployed'].includes(o.kind));
  const head = [
    `### ${failed ? '❌' : '🚀'} Deploy of ${code(input.commit.slice(0, 12))}: ${outcomeCounts(input.outcomes)}`,
    links(input.run),
  ]
    .filter(Boolean)
    .join('\n\n');
  // Worst first: what needs a person leads, and survives a cut.
  const sorted = [...input.outcomes].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const rows = sorted.map((o) => [
    code(o.stack),
    outcomeLabel[o.kind],
    o.updateVersion === undefined ? '' : String(o.updateVersion),
    plain(o.detail),
  ]);
  const tail = '<sub>Posted by `gitops deploy`; a retry of this pipeline updates this comment.</sub>';
  // A table cannot be split into sections, so rows are dropped from the end until it fits, with a note.
  let kept = rows.length;
  const render = (n: number): string => {
    const more = rows.length - n;
    const note =
      more > 0 ? `\n\n> ${more} more stack${more === 1 ? '' : 's'} left out to fit the platform's limit: the job log has them all.` : '';
    return n > 0 || more > 0 ? `${n > 0 ? table(['Stack', 'Result', 'Update', 'Details'], rows.slice(0, n)) : ''}${note}` : '';
  };
  const fits = (n: number) => [head, render(n), tail].join('\n\n').length <= input.limit;
  while (kept > 0 && !fits(kept)) kept -= Math.max(1, Math.floor(kept / 10));
  const section = render(kept);
  return fitToLimit(head, section ? [section] : [], tail, input.limit);
}
