import { renderGraphMermaid, renderGraphText } from '../../affected/graph-render.js';
import { stackGraph } from '../../merge-request/stack-graph.js';
import { type CliEnv, printJson } from '../io.js';
import type { GraphArgs } from '../options.js';
import { openRepo } from '../repo.js';

/** `gitops graph`: the dependency graph, with StackReference edges marked. */
export async function graphCommand(args: GraphArgs, cli: CliEnv): Promise<number> {
  const { layout, catalog } = await openRepo(cli, args);
  const nodes = stackGraph(catalog, layout);
  if (args.json) return printJson(cli.io, { stacks: nodes.map((n) => ({ name: n.name, dependsOn: n.dependsOn, inferred: n.inferred })) });
  cli.io.stdout(`${args.mermaid ? renderGraphMermaid(nodes) : renderGraphText(nodes)}\n`);
  return 0;
}
