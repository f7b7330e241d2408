import { noChangeOps } from '../engine/result.js';
import type { PlannedResource } from './plan-record.js';

/** One resource whose operation differs between the approved preview and a fresh one. */
export interface OperationDifference {
  urn: string;
  approved: string;
  now: string;
}

/** `op` with its changed property keys, e.g. `update (content, mode)`; `same` for no change. */
function describe(r: PlannedResource | undefined): string {
  if (!r || noChangeOps.has(r.op)) return 'same';
  const keys = [...r.changedProperties].sort();
  return keys.length > 0 ? `${r.op} (${keys.join(', ')})` : r.op;
}

/**
 * The resources whose operation differs between the approved preview and a fresh preview of the
 * same stack, compared per URN by operation kind and changed property keys. A resource missing
 * on one side counts as unchanged there. Empty when the fresh preview would do what was approved.
 * Pure.
 */
export function operationDifferences(approved: readonly PlannedResource[], fresh: readonly PlannedResource[]): OperationDifference[] {
  const before = new Map(approved.map((r) => [r.urn, r]));
  const after = new Map(fresh.map((r) => [r.urn, r]));
  const urns = [...new Set([...before.keys(), ...after.keys()])].sort();
  return urns.flatMap((urn) => {
    const a = describe(before.get(urn));
    const n = describe(after.get(urn));
    return a === n ? [] : [{ urn, approved: a, now: n }];
  });
}

/** The differences as one line, resources by name: `index-html: update (content) -> replace (path)`. */
export function describeDifferences(diffs: readonly OperationDifference[], limit = 5): string {
  const shown = diffs.slice(0, limit).map((d) => `${d.urn.split('::').pop()}: ${d.approved} -> ${d.now}`);
  return shown.join('; ') + (diffs.length > limit ? `; and ${diffs.length - limit} more` : '');
}
