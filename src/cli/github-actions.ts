import { appendFile } from 'node:fs/promises';
import type { ActionContext } from '../api/action-context.js';
import type { DriftReport } from '../api/drift-report.js';
import type { StackResult } from '../engine/result.js';
import { deployMarkdown } from '../report/deploy-markdown.js';
import { deployOutcomes } from '../report/deploy-outcome.js';
import { driftMarkdown } from '../report/drift-markdown.js';
import { driftAnnotations, operationAnnotations } from '../report/github-annotations.js';
import { JOB_SUMMARY_LIMIT, operationSummaryMarkdown } from '../report/job-summary.js';
import type { CliEnv } from './io.js';

/*
 * GitHub Actions integration at the edge: annotations as workflow commands, and Markdown
 * appended to the job summary file. Only when GITHUB_ACTIONS=true. Annotations go to stderr
 * (the runner reads workflow commands from both streams), so `--json` keeps stdout to its one
 * document. Everything is redacted before it is escaped or written.
 */

/** True inside a GitHub Actions job. */
export function inGithubActions(cli: CliEnv): boolean {
  return cli.env.GITHUB_ACTIONS === 'true';
}

/**
 * Prints the annotation lines (built with the redactor, before escaping) and appends `summary` to $GITHUB_STEP_SUMMARY. A summary that
 * cannot be written is a warning: it must not fail the job it describes.
 */
export async function reportToGithubActions(
  cli: CliEnv,
  redact: (text: string) => string,
  output: { annotations: () => string[]; summary: () => string },
): Promise<void> {
  if (!inGithubActions(cli)) return;
  for (const line of output.annotations()) cli.io.stderr(`${line}\n`);
  const file = cli.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    await appendFile(file, `${redact(output.summary())}\n\n`);
  } catch (err) {
    cli.io.stderr(`warning: cannot append the job summary to GITHUB_STEP_SUMMARY (${file}): ${(err as Error).message}\n`);
  }
}

/** After a deploy: annotations for failed stacks; the deploy report (outcome, update version) as the job summary. */
export function githubDeployReport(
  cli: CliEnv,
  ctx: Pick<ActionContext, 'redact' | 'ci'>,
  results: readonly StackResult[],
  commit: string | undefined,
): Promise<void> {
  return reportToGithubActions(cli, ctx.redact, {
    annotations: () => operationAnnotations('deploy', results, ctx.redact),
    summary: () =>
      commit
        ? deployMarkdown({ outcomes: deployOutcomes(results), commit, run: { url: ctx.ci.pipelineUrl }, limit: JOB_SUMMARY_LIMIT })
        : operationSummaryMarkdown('deploy', results),
  });
}

/** After a preview: annotations for failed stacks; the merge request report (or a table of stacks) as the job summary. */
export function githubPreviewReport(
  cli: CliEnv,
  ctx: Pick<ActionContext, 'redact'>,
  results: readonly StackResult[],
  mergeRequestReport?: () => string,
): Promise<void> {
  return reportToGithubActions(cli, ctx.redact, {
    annotations: () => operationAnnotations('preview', results, ctx.redact),
    summary: mergeRequestReport ?? (() => operationSummaryMarkdown('preview', results)),
  });
}

/** After drift: annotations for failed checks and drift left; the drift report as the job summary. */
export function githubDriftReport(
  cli: CliEnv,
  ctx: Pick<ActionContext, 'redact'> & Partial<Pick<ActionContext, 'ci'>>,
  run: { reports: readonly DriftReport[]; commit?: string; time: Date },
): Promise<void> {
  return reportToGithubActions(cli, ctx.redact, {
    annotations: () => driftAnnotations(run.reports, ctx.redact),
    summary: () =>
      driftMarkdown({
        reports: [...run.reports],
        commit: run.commit,
        time: run.time,
        pipelineUrl: ctx.ci?.pipelineUrl,
        jobUrl: ctx.ci?.jobUrl,
        limit: JOB_SUMMARY_LIMIT,
      }),
  });
}
