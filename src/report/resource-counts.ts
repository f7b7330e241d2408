import { noChangeOps, type ResourceChange, type StackResult } from '../engine/result.js';

/** The type of the resource every stack has: the engine's bookkeeping, not something a user declared. */
export const stackResourceType = 'pulumi:pulumi:Stack';

/** The resources a reviewer should see: declared ones that change, without the Stack resource. */
export function changedResources(r: StackResult): ResourceChange[] {
  return r.resources.filter((x) => x.type !== stackResourceType && !noChangeOps.has(x.op));
}

/**
 * Counts by resource operation, without the Stack resource: a new stack's preview counts its
 * Stack resource as a create, and a destroy counts it as a delete.
 */
export function resourceCounts(r: StackResult): Record<string, number> {
  const counts = { ...r.changes };
  for (const x of r.resources) {
    if (x.type === stackResourceType && (counts[x.op] ?? 0) > 0) counts[x.op]! -= 1;
  }
  return counts;
}

/** Resources that are replaced or deleted: what a reviewer must not miss. */
export function loudResources(r: StackResult): ResourceChange[] {
  return changedResources(r).filter((x) => x.op === 'replace' || x.op === 'delete');
}

const countOrder = ['create', 'update', 'replace', 'delete', 'import'];

/** Counts as a reviewer reads them: "1 to create, 3 to update", loud operations in bold; "no changes" when none. */
export function countsText(counts: Readonly<Record<string, number>>): string {
  const ops = Object.keys(counts)
    .filter((op) => !noChangeOps.has(op) && (counts[op] ?? 0) > 0)
    .sort((a, b) => (countOrder.indexOf(a) + 1 || 99) - (countOrder.indexOf(b) + 1 || 99) || a.localeCompare(b));
  return ops.length > 0 ? ops.map((op) => `${counts[op]} to ${op}`).join(', ') : 'no changes';
}
