import { readFileSync } from 'node:fs';
import { computeAffected, computeAffectedFromFiles, parseFileList } from '../../affected/affected.js';
import { programImportGraph } from '../../affected/affected-from-changes.js';
import { affectedJson, describeHistoryEvent, renderAffectedList, renderExplain } from '../../affected/render.js';
import { userError } from '../../errors/gitops-error.js';
import { stackGraph } from '../../merge-request/stack-graph.js';
import { openRepo } from '../context.js';
import type { CliEnv } from '../io.js';
import type { GlobalArgs } from '../options.js';

export interface AffectedArgs extends GlobalArgs {
  base?: string;
  head: string;
  files?: string;
  explain: boolean;
  allOnMissingHistory: boolean;
}

/** `gitops affected`: which stacks a change affects, and why. Prints names (or JSON) on stdout. */
export async function affectedCommand(args: AffectedArgs, cli: CliEnv): Promise<number> {
  const { layout, catalog } = await openRepo(cli, args);
  const graph = programImportGraph(catalog, layout);
  const nodes = stackGraph(catalog, layout, graph);
  let result;
  if (args.files !== undefined) {
    const text = args.files === '-' ? readFileSync(0, 'utf8') : args.files;
    result = computeAffectedFromFiles({ layout, catalog, nodes, graph, files: parseFileList(text, { commas: args.files !== '-' }) });
  } else {
    if (!args.base) throw userError('USAGE', 'affected needs --base REF (the merge request target), or --files');
    result = await computeAffected({
      layout,
      catalog,
      nodes,
      graph,
      base: args.base,
      head: args.head,
      allOnMissingHistory: args.allOnMissingHistory,
      onEvent: (e) => cli.io.stderr(`[git] ${describeHistoryEvent(e)}\n`),
    });
  }
  for (const w of result.warnings) cli.io.stderr(`warning: ${w}\n`);
  if (args.json) cli.io.stdout(`${JSON.stringify(affectedJson(result), null, 2)}\n`);
  else cli.io.stdout(args.explain ? renderExplain(result) : renderAffectedList(result));
  return 0;
}
