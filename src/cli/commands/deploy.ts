import { deployLanded, deployMerged, deploySelection, mergedScope, recordsFirst, sinceDeployedPlan } from '../../actions/deploy.js';
import { planSelection } from '../../actions/operate.js';
import { affectedJson, affectedLine } from '../../report/affected-render.js';
import { operationJson } from '../../report/json-report.js';
import { actionContext, engineHost } from '../context.js';
import { githubDeployReport } from '../github-actions.js';
import { type CliEnv, printJson } from '../io.js';
import { type DeployArgs, scopeOf } from '../options/operate.js';
import { operationExitCode, summarize } from '../outcome.js';

/** `gitops deploy`: by selection, or with `--base` deploy on merge. */
export async function deployCommand(args: DeployArgs, cli: CliEnv): Promise<number> {
  const opened = await actionContext(cli, args, { defaultBranch: args.defaultBranch, scope: scopeOf(args) });
  const exitCode = (results: Parameters<typeof operationExitCode>[0]) =>
    operationExitCode(results, { aborted: cli.signal.aborted, detailedExitcode: false });
  if (args.sinceDeployed) {
    // Each stack's deploy record is read first; the engine opens only if a stack is to run.
    const ctx = recordsFirst(opened, engineHost(cli));
    if (args.plan) return printJson(cli.io, affectedJson((await sinceDeployedPlan(ctx)).affected));
    const { results, scope } = await deployLanded(ctx, {
      message: args.message,
      plans: args.plans,
      onScope: (s) => cli.io.stderr(affectedLine(s.affected)),
    });
    cli.io.stderr(summarize('deploy', results));
    await githubDeployReport(cli, ctx, results, scope.affected.head ?? undefined);
    if (args.json)
      cli.io.stdout(
        operationJson('deploy', results, {
          base: null,
          head: scope.affected.head,
          // Each stack's deployed commit before this run: where its changes were counted from.
          deployedBefore: Object.fromEntries([...scope.deployed].map(([name, commit]) => [name, commit ?? null])),
          affected: affectedJson(scope.affected).stacks,
        }),
      );
    return exitCode(results);
  }
  const ctx = opened;
  if (args.base === undefined) {
    const selection = { names: args.stack, all: args.all };
    const { ctx: selected, plan } = planSelection(ctx, { command: 'deploy', selection, shard: args.shard, withDeps: args.withDeps });
    if (args.plan) return printJson(cli.io, plan);
    const override = args.overrideApprovals && args.reason ? { reason: args.reason } : undefined;
    const { results, commit } = await deploySelection(selected, plan, { message: args.message, override, plans: args.plans });
    cli.io.stderr(summarize('deploy', results));
    await githubDeployReport(cli, ctx, results, commit);
    if (args.json) cli.io.stdout(operationJson('deploy', results));
    return exitCode(results);
  }
  const head = args.head ?? 'HEAD';
  const scope = await mergedScope(ctx, {
    base: args.base,
    head,
    force: args.force,
    allOnMissingHistory: args.allOnMissingHistory,
    shard: args.shard,
  });
  cli.io.stderr(affectedLine(scope.affected));
  if (args.plan) return printJson(cli.io, affectedJson(scope.affected));
  const { results, commit } = await deployMerged(ctx, scope, {
    allowDestroy: args.allowDestroy ?? false,
    head,
    message: args.message,
    plans: args.plans,
  });
  cli.io.stderr(summarize('deploy', results));
  const { affected } = scope;
  await githubDeployReport(cli, ctx, results, commit);
  if (args.json)
    cli.io.stdout(operationJson('deploy', results, { base: affected.base, head: affected.head, affected: affectedJson(affected).stacks }));
  return exitCode(results);
}
