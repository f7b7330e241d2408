import { writeFile } from 'node:fs/promises';
import { operate, planOperate } from '../../actions/operate.js';
import { previewMergeRequest } from '../../actions/preview-merge-request.js';
import { inMergeRequestJob, refuseUnprotectedPreview, stateWritableWarning } from '../../actions/protected-preview.js';
import { withSelectionGraph } from '../../actions/selection-graph.js';
import { affectedJson } from '../../affected/render.js';
import type { StackResult } from '../../engine/result.js';
import { affectedStacks } from '../../merge-request/change-scope.js';
import { consoleDiff } from '../../report/console-diff.js';
import { JOB_SUMMARY_LIMIT } from '../../report/job-summary.js';
import { operationJson } from '../../report/json-report.js';
import { previewMarkdown } from '../../report/preview-markdown.js';
import { actionContext, writableFile } from '../context.js';
import { githubPreviewReport } from '../github-actions.js';
import { type CliEnv, printJson } from '../io.js';
import { type PreviewArgs, scopeOf } from '../options.js';
import { operationExitCode, summarize } from '../outcome.js';
import { affectedLine } from './affected.js';

/** Markdown files are usually posted somewhere; GitHub's limit is the tighter one. */
const markdownLimit = 65_536;

/** A merge request pipeline, as GitLab and GitHub say: the job runs the merge request's own code. */
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
    const sctx = withSelectionGraph(ctx, selection);
    const plan = planOperate(sctx.catalog, { command: 'preview', selection, shard: args.shard, withDeps: args.withDeps });
    if (args.plan) return printJson(cli.io, plan);
    const results = await operate(sctx, plan);
    printDiff(cli, args, results);
    cli.io.stderr(summarize('preview', results));
    await githubPreviewReport(cli, ctx, results);
    if (args.json) cli.io.stdout(operationJson('preview', results));
    return operationExitCode(results, { aborted: cli.signal.aborted, detailedExitcode: args.detailedExitcode });
  }
  const scope = await affectedStacks(ctx, {
    base: args.base,
    head: args.head,
    allOnMissingHistory: args.allOnMissingHistory,
    shard: args.shard,
  });
  cli.io.stderr(affectedLine(scope.affected));
  if (args.plan) return printJson(cli.io, affectedJson(scope.affected));
  const writable = await stateWritableWarning(cli.env, ctx.layout);
  if (writable) cli.io.stderr(`${writable}\n`);
  const { results, report } = await previewMergeRequest(ctx, scope, {
    comment: args.comment ?? false,
    savePlans: args.savePlans,
    head: args.head,
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
