import { writeFile } from 'node:fs/promises';
import { computeAffected } from '../../affected/affected.js';
import { programImportGraph } from '../../affected/affected-from-changes.js';
import { renderGraphMermaid } from '../../affected/graph-render.js';
import { affectedJson, describeHistoryEvent } from '../../affected/render.js';
import { asGitopsError } from '../../errors/gitops-error.js';
import { forgeContextFromEnv, pipelineUrlFromEnv } from '../../forge/context.js';
import { createForge } from '../../forge/create-forge.js';
import type { Forge } from '../../forge/forge.js';
import { bodyBudget } from '../../forge/markers.js';
import { Git } from '../../git/git.js';
import { requiredApprovals } from '../../merge-request/approvals-gate.js';
import { checkDeployBranch, ciBranch, defaultBranchOf } from '../../merge-request/branch-guard.js';
import { deployMerged } from '../../merge-request/deploy-merged.js';
import { destroyTargets, previewAffected, reasonTexts } from '../../merge-request/preview-affected.js';
import { stackGraph, withInferredDependencies } from '../../merge-request/stack-graph.js';
import { parseShard, shardStacks } from '../../plan/shard.js';
import { operationJson } from '../../report/json-report.js';
import type { StackResult } from '../../engine/result.js';
import { previewMarkdown } from '../../report/preview-markdown.js';
import { consoleSink, openEngine, openRepo } from '../context.js';
import type { CliEnv } from '../io.js';
import type { OperateArgs } from './operate.js';
import { operationExitCode, summarize } from './operate.js';

/** The key of the one MR comment the preview keeps up to date. */
export const previewCommentKey = 'preview';

/** The forge of this pipeline, or undefined (with the reason) when the CI variables do not name one. */
function optionalForge(cli: CliEnv): { forge?: Forge; why?: string } {
  try {
    return { forge: createForge(forgeContextFromEnv(cli.env)) };
  } catch (err) {
    return { why: asGitopsError(err).message };
  }
}

/**
 * `gitops preview --base REF` and `gitops deploy --base REF`: the merge request loop. The
 * affected stacks (and their dependents) are previewed for reviewers, or deployed after the
 * merge, in dependency order.
 */
export async function mergeRequestCommand(command: 'preview' | 'deploy', args: OperateArgs, cli: CliEnv): Promise<number> {
  const { layout, catalog: declared } = await openRepo(cli, args);
  const graph = programImportGraph(declared, layout);
  const nodes = stackGraph(declared, layout, graph);
  const catalog = withInferredDependencies(declared, nodes);
  const git = new Git(layout.root);
  const headRef = args.head ?? 'HEAD';
  if (command === 'deploy' && !args.force) {
    await checkDeployBranch(git, { branch: ciBranch(cli.env), defaultBranch: defaultBranchOf(cli.env, args.defaultBranch), head: await git.revParse(headRef) });
  }
  const affected = await computeAffected({
    layout,
    catalog,
    nodes,
    graph,
    base: args.base!,
    head: headRef,
    git,
    allOnMissingHistory: args.allOnMissingHistory,
    onEvent: (e) => cli.io.stderr(`[git] ${describeHistoryEvent(e)}\n`),
  });
  for (const w of affected.warnings) cli.io.stderr(`warning: ${w}\n`);
  if (args.shard) {
    const mine = new Set(shardStacks(nodes, affected.stacks.map((s) => s.name), parseShard(args.shard)));
    affected.stacks = affected.stacks.filter((s) => mine.has(s.name));
  }
  cli.io.stderr(`${affected.stacks.length} stack${affected.stacks.length === 1 ? '' : 's'} affected: ${affected.stacks.map((s) => `${s.name}${s.action === 'destroy' ? ' (deleted)' : ''}`).join(', ') || 'none'}\n`);
  if (args.plan) {
    cli.io.stdout(`${JSON.stringify(affectedJson(affected), null, 2)}\n`);
    return 0;
  }
  const engine = await openEngine(cli, layout, affected.stacks.flatMap((s) => catalog.byName.get(s.name) ?? []));
  const common = { engine, catalog, affected, sink: consoleSink(cli, args.quiet), concurrency: args.concurrency, signal: cli.signal };
  const url = pipelineUrlFromEnv(cli.env);
  let results: StackResult[];
  if (command === 'preview') {
    results = await previewAffected(common);
    const affectedNames = new Set(affected.stacks.map((s) => s.name));
    const markdownFor = (limit: number) =>
      cli.redactor!.redact(
        previewMarkdown({
          results,
          commit: affected.head ?? undefined,
          base: affected.base ?? undefined,
          pipelineUrl: url,
          approvals: Object.fromEntries(catalog.stacks.filter((s) => requiredApprovals(s) > 0).map((s) => [s.name, requiredApprovals(s)])),
          reasons: reasonTexts(affected),
          graphMermaid: renderGraphMermaid(nodes.filter((n) => affectedNames.has(n.name)).map((n) => ({ ...n, dependsOn: n.dependsOn.filter((d) => affectedNames.has(d)) })), affectedNames),
          destroys: destroyTargets(affected).map((d) => ({ name: d.name, allowed: d.definition?.allowDestroy === true })),
          limit,
        }),
      );
    if (args.markdown) await writeFile(args.markdown, markdownFor(65_536));
    if (args.comment) {
      const forge = createForge(forgeContextFromEnv(cli.env));
      const posted = await forge.upsertMergeRequestComment(previewCommentKey, markdownFor(bodyBudget(forge.platform, previewCommentKey)));
      cli.io.stderr(`merge request comment ${posted.action}${posted.url ? `: ${posted.url}` : ''}\n`);
    }
  } else {
    const { forge, why } = optionalForge(cli);
    if (!forge && catalog.stacks.some((s) => requiredApprovals(s) > 0)) cli.io.stderr(`warning: approvals cannot be checked: ${why}\n`);
    const deployed = await deployMerged({ ...common, forge, allowDestroy: args.allowDestroy ?? false, commit: affected.head ?? (await git.revParse(headRef)), pipelineUrl: url, message: args.message });
    results = deployed.results;
  }
  cli.io.stderr(`${command} summary:\n${summarize(results)}\n`);
  if (args.json) cli.io.stdout(operationJson(command, results, { base: affected.base, head: affected.head, affected: affectedJson(affected).stacks }));
  return operationExitCode(command, results, args, cli);
}
