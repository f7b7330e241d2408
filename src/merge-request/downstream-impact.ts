import type { InferredGraphNode } from '../affected/stack-references.js';
import type { DownstreamImpact, DownstreamReader } from '../api/merge-request.js';
import type { StackResult } from '../engine/result.js';

/**
 * Downstream impact of a merge request: for each previewed stack whose outputs change, the
 * stacks that depend on it. Pure.
 *
 * Pulumi cannot preview a dependent with its upstream's previewed outputs: a StackReference
 * reads the upstream's outputs from the backend's state, and a preview writes no state. So the
 * dependents' previews in the same report used the outputs deployed today; they will see the
 * new outputs only after the upstream's deploy, which the report says.
 */
export function downstreamImpact(results: readonly StackResult[], nodes: readonly InferredGraphNode[]): DownstreamImpact[] {
  return results.flatMap((r) => {
    if (r.operation !== 'preview' || r.status !== 'succeeded' || !r.outputChanges?.length) return [];
    const readers = nodes
      .filter((n) => n.dependsOn.includes(r.name))
      .map((n): DownstreamReader => ({ name: n.name, via: n.inferred.includes(r.name) ? 'stack-reference' : 'depends-on' }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return readers.length > 0 ? [{ stack: r.name, outputs: r.outputChanges, readers }] : [];
  });
}
