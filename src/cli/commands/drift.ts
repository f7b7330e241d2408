import { writeFile } from 'node:fs/promises';
import { exitCodeForOutcome } from '../../errors/exit-codes.js';
import { detectDrift, driftLeft } from '../../drift/detect.js';
import { appendRecord, toRecord } from '../../drift/history.js';
import { parseShard, shardStacks } from '../../plan/shard.js';
import { selectStacks } from '../../plan/select.js';
import { currentCommit } from '../../repo/commit.js';
import { driftMarkdown } from '../../report/drift-markdown.js';
import { driftJson, driftSummary } from '../../report/drift-report.js';
import { consoleSink, openEngine, openRepo } from '../context.js';
import type { CliEnv } from '../io.js';
import type { SelectionArgs } from '../options.js';

export interface DriftArgs extends SelectionArgs {
  remediate: boolean;
  allowDestroy: boolean;
  history?: string;
  markdown?: string;
  notify: boolean;
}

/** GitHub's limit is the tighter one; a drift Markdown file is usually posted somewhere. */
const markdownLimit = 65_536;

/** `gitops drift`: exit 0 when nothing is left drifted, 3 when drift is left, 1 when a stack failed. */
export async function driftCommand(args: DriftArgs, cli: CliEnv): Promise<number> {
  const { layout, catalog } = await openRepo(cli, args);
  let names = selectStacks(catalog, { names: args.stack, all: args.all });
  if (args.shard) names = shardStacks(catalog.stacks, names, parseShard(args.shard));
  if (args.plan) {
    const plan = names.map((name) => ({ name, policy: catalog.byName.get(name)!.drift.policy, remediate: args.remediate || catalog.byName.get(name)!.drift.policy === 'remediate' }));
    cli.io.stdout(`${JSON.stringify({ operation: 'drift', stacks: plan }, null, 2)}\n`);
    return 0;
  }
  const engine = await openEngine(cli, layout, names.map((n) => catalog.byName.get(n)!));
  const reports = await detectDrift(names, {
    engine,
    catalog,
    sink: consoleSink(cli, args.quiet),
    concurrency: args.concurrency,
    signal: cli.signal,
    remediate: args.remediate,
    allowDestroy: args.allowDestroy,
    message: 'gitops drift remediation',
  });
  const time = new Date();
  const commit = await currentCommit(layout.root, cli.env);
  cli.io.stderr(driftSummary(reports));
  if (args.json) cli.io.stdout(driftJson(reports));
  if (args.markdown) await writeFile(args.markdown, cli.redactor!.redact(driftMarkdown({ reports, commit, time, limit: markdownLimit })));
  if (args.history) await appendRecord(args.history, toRecord(reports, time, commit));
  if (args.notify) {
    const { notifyDrift } = await import('./drift-notify.js');
    await notifyDrift(reports, cli, { commit, time });
  }
  return exitCodeForOutcome({
    cancelled: cli.signal.aborted || reports.some((r) => r.status === 'cancelled'),
    failed: reports.some((r) => r.status !== 'succeeded'),
    changesLeft: reports.some(driftLeft),
  });
}
