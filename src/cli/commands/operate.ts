import { exitCodeForOutcome } from '../../errors/exit-codes.js';
import type { Operation, StackResult } from '../../engine/result.js';
import { buildPlan } from '../../plan/plan.js';
import { selectStacks } from '../../plan/select.js';
import { parseShard, shardStacks } from '../../plan/shard.js';
import { describeResult, hasChanges } from '../../report/console-progress.js';
import { operationJson } from '../../report/json-report.js';
import { runPlan } from '../../run/run-stacks.js';
import { consoleSink, openEngine, openRepo } from '../context.js';
import type { CliEnv } from '../io.js';
import type { SelectionArgs } from '../options.js';

export interface OperateArgs extends SelectionArgs {
  detailedExitcode?: boolean;
  message?: string;
  /** Merge request mode: act on the stacks affected since the merge-base with this ref. */
  base?: string;
  head?: string;
  markdown?: string;
  comment?: boolean;
  force?: boolean;
  allowDestroy?: boolean;
  defaultBranch?: string;
  allOnMissingHistory?: boolean;
}

/**
 * The exit code of a preview or deploy run: cancelled, then failed (a skip counts unless it was
 * by design), then pending changes under `preview --detailed-exitcode`.
 */
export function operationExitCode(command: 'preview' | 'deploy', results: readonly StackResult[], args: OperateArgs, cli: CliEnv): number {
  return exitCodeForOutcome({
    cancelled: cli.signal.aborted || results.some((r) => r.status === 'cancelled'),
    failed: results.some((r) => r.status === 'failed' || (r.status === 'skipped' && !r.benign)),
    changesLeft: command === 'preview' && Boolean(args.detailedExitcode) && hasChanges(results),
  });
}

/** The summary printed to stderr after a run. */
export function summarize(results: readonly StackResult[]): string {
  return results.map((r) => `  ${r.name}: ${describeResult(r)}`).join('\n');
}

/**
 * `gitops preview` and `gitops deploy`: select, plan, run in dependency order, report.
 * Deploy runs only the selected stacks (not their dependencies), ordered by `dependsOn`.
 */
export async function operateCommand(command: 'preview' | 'deploy', args: OperateArgs, cli: CliEnv): Promise<number> {
  if (args.base) {
    const { mergeRequestCommand } = await import('./merge-request.js');
    return mergeRequestCommand(command, args, cli);
  }
  const { layout, catalog } = await openRepo(cli, args);
  const operation: Operation = command === 'preview' ? 'preview' : 'up';
  let names = selectStacks(catalog, { names: args.stack, all: args.all });
  if (args.shard) names = shardStacks(catalog.stacks, names, parseShard(args.shard));
  const plan = buildPlan(catalog, names, operation);
  if (args.plan) {
    cli.io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
    return 0;
  }
  const engine = await openEngine(cli, layout, plan.stacks.map((s) => catalog.byName.get(s.name)!));
  const results = await runPlan(plan, { engine, catalog, sink: consoleSink(cli, args.quiet), concurrency: args.concurrency, signal: cli.signal, message: args.message });
  cli.io.stderr(`${command} summary:\n${summarize(results)}\n`);
  if (args.json) cli.io.stdout(operationJson(command, results));
  return operationExitCode(command, results, args, cli);
}
