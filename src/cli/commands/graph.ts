import { renderGraphMermaid, renderGraphText } from '../../affected/graph-render.js';
import { stackGraph } from '../../merge-request/stack-graph.js';
import { openRepo } from '../context.js';
import type { CliEnv } from '../io.js';
import type { GlobalArgs } from '../options.js';

/** `gitops graph`: the dependency graph, with StackReference edges marked. */
export async function graphCommand(args: GlobalArgs & { mermaid: boolean }, cli: CliEnv): Promise<number> {
  const { layout, catalog } = await openRepo(cli, args);
  const nodes = stackGraph(catalog, layout);
  if (args.json) cli.io.stdout(`${JSON.stringify({ stacks: nodes.map((n) => ({ name: n.name, dependsOn: n.dependsOn, inferred: n.inferred })) }, null, 2)}\n`);
  else cli.io.stdout(`${args.mermaid ? renderGraphMermaid(nodes) : renderGraphText(nodes)}\n`);
  return 0;
}
