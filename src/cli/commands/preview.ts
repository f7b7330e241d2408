import { writeFile } from 'node:fs/promises';
import { findAffected } from '../../actions/affected.js';
import { operate, planSelection } from '../../actions/operate.js';
import { inMergeRequestJob, previewChange, refuseUnprotectedPreview } from '../../actions/preview.js';
import type { StackResult } from '../../engine/result.js';
import { affectedJson, affectedLine } from '../../report/affected-render.js';
import { consoleDiff } from '../../report/console-diff.js';
import { JOB_SUMMARY_LIMIT } from '../../report/job-summary.js';
import { operationJson } from '../../report/json-report.js';
import { previewMarkdown } from '../../report/preview-markdown.js';
import { actionContext, writableFile } from '../context.js';
import { githubPreviewReport } from '../github-actions.js';
import { type CliEnv, printJson } from '../io.js';
import { type PreviewArgs, scopeOf } from '../options/operate.js';
import { operationExitCode, summarize } from '../outcome.js';

/** Markdown files are usually posted somewhere; GitHub's limit is the tighter one. */
const markdownLimit = 65_536;

/** `--diff`: the property diffs on stdout, or on stderr when stdout carries the JSON document. */
function printDiff(cli: CliEnv, args: PreviewArgs, results: readonly StackResult[]): void {
  if (!args.diff) return;
  const text = consoleDiff(results);
  if (args.json) cli.io.stderr(text);
  else cli.io.stdout(text);
}

/** `gitops preview`: by selection, or with `--base` the merge request preview. */
export async function previewCommand(args: PreviewArgs, cli: CliEnv): Promise<number> {
  const markdown = writableFile(cli, 'markdown', args.markdown);
  if (args.base === undefined && !args.plan) refuseUnprotectedPreview(inMergeRequestJob(cli.env));
  const ctx = await actionContext(cli, args, { scope: scopeOf(args) });
  if (args.base === undefined) {
    const selection = { names: args.stack, all: args.all };
    const { ctx: selected, plan } = planSelection(ctx, { command: 'preview', selection, shard: args.shard, withDeps: args.withDeps });
    if (args.plan) return printJson(cli.io, plan);
    const results = await operate(selected, plan);
    printDiff(cli, args, results);
    cli.io.stderr(summarize('preview', results));
    await githubPreviewReport(cli, ctx, results);
    if (args.json) cli.io.stdout(operationJson('preview', results));
    return operationExitCode(results, { aborted: cli.signal.aborted, detailedExitcode: args.detailedExitcode });
  }
  const scope = await findAffected(ctx, {
    base: args.base,
    head: args.head,
    allOnMissingHistory: args.allOnMissingHistory,
    shard: args.shard,
  });
  cli.io.stderr(affectedLine(scope.affected));
  if (args.plan) return printJson(cli.io, affectedJson(scope.affected));
  const { results, report } = await previewChange(ctx, cli.env, scope, {
    comment: args.comment ?? false,
    savePlans: args.savePlans,
    head: args.head,
    warn: (line) => cli.io.stderr(`${line}\n`),
  });
  if (markdown) await writeFile(markdown, ctx.redact(previewMarkdown({ ...report, redact: ctx.redact, limit: markdownLimit })));
  printDiff(cli, args, results);
  cli.io.stderr(summarize('preview', results));
  await githubPreviewReport(cli, ctx, results, () => previewMarkdown({ ...report, redact: ctx.redact, limit: JOB_SUMMARY_LIMIT }));
  const { affected } = scope;
  if (args.json)
    cli.io.stdout(operationJson('preview', results, { base: affected.base, head: affected.head, affected: affectedJson(affected).stacks }));
  return operationExitCode(results, { aborted: cli.signal.aborted, detailedExitcode: args.detailedExitcode });
}
