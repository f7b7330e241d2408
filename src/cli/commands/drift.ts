import { writeFile } from 'node:fs/promises';
import { drift, planDrift } from '../../actions/drift.js';
import { resolveBackendUrl } from '../../actions/open-engine.js';
import { driftLeft } from '../../drift/detect.js';
import { parseNotifyTargets } from '../../drift/notify-targets.js';
import { openDriftHistoryStore } from '../../drift/open-history-store.js';
import { exitCodeForOutcome, isStackUsageFailure } from '../../errors/exit-codes.js';
import { driftMarkdown } from '../../report/drift-markdown.js';
import { driftJson, driftSummary } from '../../report/drift-report.js';
import { actionContext, writableFile } from '../context.js';
import { githubDriftReport } from '../github-actions.js';
import { type CliEnv, printJson } from '../io.js';
import type { DriftArgs } from '../options.js';

/** GitHub's limit is the tighter one; a drift Markdown file is usually posted somewhere. */
const markdownLimit = 65_536;

/** `gitops drift`: exit 0 when nothing is left drifted, 3 when drift is left, 1 when a stack failed. */
export async function driftCommand(args: DriftArgs, cli: CliEnv): Promise<number> {
  const markdown = writableFile(cli, 'markdown', args.markdown);
  const history = writableFile(cli, 'history', args.history);
  // Checked before anything runs; the URLs carry tokens, so the redactor learns them.
  const targets = parseNotifyTargets(args.notify, cli.env);
  for (const t of targets) if (t.kind !== 'issue') cli.redactor?.add(t.url);
  const ctx = await actionContext(cli, args);
  const request = {
    selection: { names: args.stack, all: args.all },
    shard: args.shard,
    remediate: args.detectOnly ? false : args.remediate,
    allowDestroy: args.allowDestroy,
    history,
    notify: targets.some((t) => t.kind === 'issue'),
    channels: targets.filter((t) => t.kind !== 'issue'),
  };
  const plan = planDrift(ctx.catalog, request);
  if (args.plan) return printJson(cli.io, { operation: 'drift', stacks: plan });
  const store = await openDriftHistoryStore(resolveBackendUrl(ctx.layout, cli.env));
  const { reports, commit, time, channels } = await drift(ctx, plan, { ...request, ...(store ? { store } : {}) });
  cli.io.stderr(driftSummary(reports));
  await githubDriftReport(cli, ctx, { reports, commit, time });
  if (args.json) cli.io.stdout(driftJson(reports));
  if (markdown)
    await writeFile(
      markdown,
      ctx.redact(driftMarkdown({ reports, commit, time, pipelineUrl: ctx.ci.pipelineUrl, jobUrl: ctx.ci.jobUrl, limit: markdownLimit })),
    );
  return exitCodeForOutcome({
    cancelled: cli.signal.aborted || reports.some((r) => r.status === 'cancelled'),
    usage: reports.some((r) => isStackUsageFailure(r.error?.code)),
    // A notification that could not be delivered fails the run: the alert was lost.
    failed: reports.some((r) => r.status !== 'succeeded') || channels.some((c) => !c.ok),
    changesLeft: reports.some(driftLeft),
  });
}
