import { writeFile } from 'node:fs/promises';
import { drift, planDrift } from '../../actions/drift.js';
import { driftLeft } from '../../drift/detect.js';
import { exitCodeForOutcome } from '../../errors/exit-codes.js';
import { driftMarkdown } from '../../report/drift-markdown.js';
import { driftJson, driftSummary } from '../../report/drift-report.js';
import { actionContext, writableFile } from '../context.js';
import { type CliEnv, printJson } from '../io.js';
import type { DriftArgs } from '../options.js';

/** GitHub's limit is the tighter one; a drift Markdown file is usually posted somewhere. */
const markdownLimit = 65_536;

/** `gitops drift`: exit 0 when nothing is left drifted, 3 when drift is left, 1 when a stack failed. */
export async function driftCommand(args: DriftArgs, cli: CliEnv): Promise<number> {
  const markdown = writableFile(cli, 'markdown', args.markdown);
  const history = writableFile(cli, 'history', args.history);
  const ctx = await actionContext(cli, args);
  const request = {
    selection: { names: args.stack, all: args.all },
    shard: args.shard,
    remediate: args.detectOnly ? false : args.remediate,
    allowDestroy: args.allowDestroy,
    history,
    notify: args.notify,
  };
  const plan = planDrift(ctx.catalog, request);
  if (args.plan) return printJson(cli.io, { operation: 'drift', stacks: plan });
  const { reports, commit, time } = await drift(ctx, plan, request);
  cli.io.stderr(driftSummary(reports));
  if (args.json) cli.io.stdout(driftJson(reports));
  if (markdown) await writeFile(markdown, ctx.redact(driftMarkdown({ reports, commit, time, limit: markdownLimit })));
  return exitCodeForOutcome({
    cancelled: cli.signal.aborted || reports.some((r) => r.status === 'cancelled'),
    failed: reports.some((r) => r.status !== 'succeeded'),
    changesLeft: reports.some(driftLeft),
  });
}
