import { deployOnMerge, guardDeployBranch, guardDeployCheckout, selectionDeployMessage } from '../../actions/deploy-on-merge.js';
import { type EngineNeeds, recordsFirstEngine } from '../../actions/open-engine.js';
import { operate, planOperate } from '../../actions/operate.js';
import { overrideMessage, selectionRefusals } from '../../actions/selection-approvals.js';
import { withSelectionGraph } from '../../actions/selection-graph.js';
import { deploySinceDeployed, planSinceDeployed } from '../../actions/since-deployed.js';
import { affectedJson } from '../../affected/render.js';
import { headCommit } from '../../git/head-commit.js';
import { affectedStacks } from '../../merge-request/change-scope.js';
import { operationJson } from '../../report/json-report.js';
import type { StackDefinition } from '../../stacks/schema.js';
import { actionContext, engineHost } from '../context.js';
import { githubDeployReport } from '../github-actions.js';
import { type CliEnv, printJson } from '../io.js';
import { type DeployArgs, scopeOf } from '../options.js';
import { operationExitCode, summarize } from '../outcome.js';
import { affectedLine } from './affected.js';

/** `gitops deploy`: by selection, or with `--base` deploy on merge. */
export async function deployCommand(args: DeployArgs, cli: CliEnv): Promise<number> {
  const opened = await actionContext(cli, args, { defaultBranch: args.defaultBranch, scope: scopeOf(args) });
  // Each stack's deploy record is read first; the engine opens only if a stack is to run.
  const ctx = args.sinceDeployed
    ? {
        ...opened,
        engine: async (stacks: readonly StackDefinition[], options?: EngineNeeds) =>
          recordsFirstEngine(engineHost(cli), opened.layout, stacks, options),
      }
    : opened;
  if (args.sinceDeployed) {
    await guardDeployBranch(ctx, 'HEAD');
    if (args.plan) return printJson(cli.io, affectedJson((await planSinceDeployed(ctx)).affected));
    await guardDeployCheckout(ctx, 'HEAD');
    const { results, scope } = await deploySinceDeployed(ctx, {
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
    return operationExitCode(results, { aborted: cli.signal.aborted, detailedExitcode: false });
  }
  if (args.base === undefined) {
    const selection = { names: args.stack, all: args.all };
    const sctx = withSelectionGraph(ctx, selection);
    const plan = planOperate(sctx.catalog, { command: 'deploy', selection, shard: args.shard, withDeps: args.withDeps });
    if (args.plan) return printJson(cli.io, plan);
    const override = args.overrideApprovals && args.reason ? { reason: args.reason } : undefined;
    const message = overrideMessage(await selectionDeployMessage(ctx, args.message), override);
    const commit = await headCommit(ctx.git, ctx.layout.root);
    const results = await operate(sctx, plan, {
      message,
      refusals: await selectionRefusals(sctx, plan, override),
      commit,
      plans: args.plans,
    });
    cli.io.stderr(summarize('deploy', results));
    await githubDeployReport(cli, ctx, results, commit);
    if (args.json) cli.io.stdout(operationJson('deploy', results));
    return operationExitCode(results, { aborted: cli.signal.aborted, detailedExitcode: false });
  }
  const head = args.head ?? 'HEAD';
  if (!args.force) await guardDeployBranch(ctx, head, { forceable: true });
  const scope = await affectedStacks(ctx, { base: args.base, head, allOnMissingHistory: args.allOnMissingHistory, shard: args.shard });
  cli.io.stderr(affectedLine(scope.affected));
  if (args.plan) return printJson(cli.io, affectedJson(scope.affected));
  await guardDeployCheckout(ctx, head);
  const { results } = await deployOnMerge(ctx, scope, {
    allowDestroy: args.allowDestroy ?? false,
    head,
    message: args.message,
    plans: args.plans,
  });
  cli.io.stderr(summarize('deploy', results));
  const { affected } = scope;
  await githubDeployReport(cli, ctx, results, affected.head ?? (await ctx.git.revParse(head).catch(() => undefined)));
  if (args.json)
    cli.io.stdout(operationJson('deploy', results, { base: affected.base, head: affected.head, affected: affectedJson(affected).stacks }));
  return operationExitCode(results, { aborted: cli.signal.aborted, detailedExitcode: false });
}
