import { exitCodeForOutcome } from '../../errors/exit-codes.js';
import { selectStacks } from '../../plan/select.js';
import { driftJson, driftSummary } from '../../report/drift-report.js';
import { detectDrift, driftLeft } from '../../run/drift.js';
import { consoleSink, openEngine, openRepo } from '../context.js';
import type { CliEnv } from '../io.js';
import type { SelectionArgs } from '../options.js';

export interface DriftArgs extends SelectionArgs {
  remediate: boolean;
  allowDestroy: boolean;
}

/** `gitops drift`: exit 0 when nothing is left drifted, 3 when drift is left, 1 when a stack failed. */
export async function driftCommand(args: DriftArgs, cli: CliEnv): Promise<number> {
  const { layout, catalog } = await openRepo(cli, args.cwd);
  const names = selectStacks(catalog, { names: args.stack, all: args.all });
  if (args.plan) {
    const plan = names.map((name) => ({ name, policy: catalog.byName.get(name)!.drift.policy, remediate: args.remediate || catalog.byName.get(name)!.drift.policy === 'remediate' }));
    cli.io.stdout(`${JSON.stringify({ operation: 'drift', stacks: plan }, null, 2)}\n`);
    return 0;
  }
  const engine = await openEngine(cli, layout);
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
  cli.io.stderr(driftSummary(reports));
  if (args.json) cli.io.stdout(driftJson(reports));
  return exitCodeForOutcome({
    cancelled: cli.signal.aborted || reports.some((r) => r.status === 'cancelled'),
    failed: reports.some((r) => r.status !== 'succeeded'),
    changesLeft: reports.some(driftLeft),
  });
}
