import { graph } from '../../actions/graph.js';
import { renderGraphMermaid, renderGraphText } from '../../report/graph-render.js';
import { type CliEnv, printJson } from '../io.js';
import type { GraphArgs } from '../options/repository.js';
import { openRepo } from '../repo.js';

/** `gitops graph`: the dependency graph, with StackReference edges marked. */
export async function graphCommand(args: GraphArgs, cli: CliEnv): Promise<number> {
  const nodes = graph(await openRepo(cli, args));
  if (args.json) return printJson(cli.io, { stacks: nodes.map((n) => ({ name: n.name, dependsOn: n.dependsOn, inferred: n.inferred })) });
  cli.io.stdout(`${args.mermaid ? renderGraphMermaid(nodes) : renderGraphText(nodes)}\n`);
  return 0;
}
