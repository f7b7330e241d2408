import { stackGraph, withInferredDependencies } from '../affected/stack-graph.js';
import type { InferredGraphNode } from '../affected/stack-references.js';
import type { ActionContext } from '../api/action-context.js';
import type { Selection } from '../schedule/select.js';
import type { Repo } from './repo.js';

/**
 * The context a selection runs in: with `--stack`, the catalogue's dependencies include the
 * StackReferences with literal names found in the programs (as `gitops graph` shows them), so
 * the order, `--with-deps` and the check for dependencies never deployed follow them too.
 * `--all` plans every stack anyway and reads no program here.
 */
export function withSelectionGraph(ctx: ActionContext, selection: Selection): ActionContext {
  if (selection.all || (selection.names ?? []).length === 0) return ctx;
  return { ...ctx, catalog: withInferredDependencies(ctx.catalog, stackGraph(ctx.catalog, ctx.layout)) };
}

/** `gitops graph`: every stack with its dependencies, declared and inferred from StackReferences. */
export function graph(repo: Repo): InferredGraphNode[] {
  return stackGraph(repo.catalog, repo.layout);
}
