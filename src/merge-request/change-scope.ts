import { computeAffected, computeAffectedFromFiles } from '../affected/affected.js';
import { programImportGraph } from '../affected/affected-from-changes.js';
import type { AffectedResult } from '../affected/model.js';
import { stackGraph, withInferredDependencies } from '../affected/stack-graph.js';
import type { InferredGraphNode } from '../affected/stack-references.js';
import { type ActionContext, say } from '../api/action-context.js';
import type { Shard } from '../lib/shard-spec.js';
import { describeHistoryEvent } from '../report/affected-render.js';
import { shardStacks } from '../schedule/shard.js';
import type { StackCatalog } from '../stacks/load.js';

/** A change to act on: from git (`base`, `head`), or a list of changed files. */
export interface ChangeRequest {
  base?: string;
  /** Default: HEAD. */
  head?: string;
  /** Changed files, instead of git. */
  files?: readonly string[];
  /** When the merge-base cannot be found, treat every stack as affected. */
  allOnMissingHistory?: boolean;
  /** Keep only the affected stacks of this shard. */
  shard?: Shard;
}

/** What a change touches: the affected stacks, and the graph they were found in. */
export interface ChangeScope {
  affected: AffectedResult;
  /** The full stack graph: `dependsOn` plus StackReferences. */
  nodes: InferredGraphNode[];
  /** The catalogue with inferred dependencies folded in, for ordering runs. */
  catalog: StackCatalog;
}

/**
 * `gitops affected`, and the first step of the merge request loop: the stacks a change
 * affects and why. Reads programs once for both the StackReference graph and the imports.
 */
export async function affectedStacks(ctx: ActionContext, request: ChangeRequest): Promise<ChangeScope> {
  const { layout, catalog: declared } = ctx;
  const graph = programImportGraph(declared, layout);
  const nodes = stackGraph(declared, layout, graph);
  const catalog = withInferredDependencies(declared, nodes);
  const common = { layout, catalog, nodes, graph };
  let affected = request.files
    ? computeAffectedFromFiles({ ...common, files: request.files })
    : await computeAffected({
        ...common,
        base: request.base!,
        head: request.head ?? 'HEAD',
        git: ctx.git,
        allOnMissingHistory: request.allOnMissingHistory,
        onEvent: (e) => say(ctx, `[git] ${describeHistoryEvent(e)}`),
      });
  for (const w of affected.warnings) say(ctx, `warning: ${w}`, 'warning');
  if (request.shard) {
    const mine = new Set(
      shardStacks(
        nodes,
        affected.stacks.map((s) => s.name),
        request.shard,
      ),
    );
    affected = { ...affected, stacks: affected.stacks.filter((s) => mine.has(s.name)) };
  }
  return { affected, nodes, catalog };
}
