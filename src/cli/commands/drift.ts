import { writeFile } from 'node:fs/promises';
import { driftPlan, notifyTargets, runDrift } from '../../actions/drift.js';
import { exitCodeForOutcome } from '../../errors/exit-codes.js';
import { driftMarkdown } from '../../report/drift-markdown.js';
import { driftJson, driftSummary } from '../../report/drift-report.js';
import { actionContext, writableFile } from '../context.js';
import { githubDriftReport } from '../github-actions.js';
import { type CliEnv, printJson } from '../io.js';
import type { DriftArgs } from '../options/drift.js';

/** GitHub's limit is the tighter one; a drift Markdown file is usually posted somewhere. */
const markdownLimit = 65_536;

/** `gitops drift`: exit 0 when nothing is left drifted, 3 when drift is left, 1 when a stack failed. */
export async function driftCommand(args: DriftArgs, cli: CliEnv): Promise<number> {
  const markdown = writableFile(cli, 'markdown', args.markdown);
  const history = writableFile(cli, 'history', args.history);
  // Checked before anything runs; the URLs carry tokens, so the redactor learns them.
  const targets = notifyTargets(args.notify, cli.env, cli.redactor);
  const ctx = await actionContext(cli, args);
  const command = {
    selection: { names: args.stack, all: args.all },
    shard: args.shard,
    remediate: args.detectOnly ? false : args.remediate,
    allowDestroy: args.allowDestroy,
    history,
    targets,
  };
  const plan = driftPlan(ctx, command);
  if (args.plan) return printJson(cli.io, { operation: 'drift', stacks: plan });
  const { reports, commit, time, outcome } = await runDrift(ctx, cli.env, plan, command);
  cli.io.stderr(driftSummary(reports));
  await githubDriftReport(cli, ctx, { reports, commit, time });
  if (args.json) cli.io.stdout(driftJson(reports));
  if (markdown)
    await writeFile(
      markdown,
      ctx.redact(driftMarkdown({ reports, commit, time, pipelineUrl: ctx.ci.pipelineUrl, jobUrl: ctx.ci.jobUrl, limit: markdownLimit })),
    );
  return exitCodeForOutcome(outcome);
}
