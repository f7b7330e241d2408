import type { AffectedResult } from '../affected/model.js';
import type { OnMergePlan } from '../api/merge-request.js';
import { buildPlan } from '../schedule/plan.js';
import type { StackCatalog } from '../stacks/load.js';

/**
 * The deploy the merge triggers, as data: the same plan `deploy --base` builds (dependency
 * order, StackReferences included), with the approvals each stack waits for. Pure.
 */
export function onMergePlan(
  affected: AffectedResult,
  catalog: StackCatalog,
  approvals: Readonly<Record<string, number>>,
  destroys: readonly { name: string; allowed: boolean }[],
): OnMergePlan {
  const updates = affected.stacks.filter((s) => s.action === 'update' && catalog.byName.has(s.name)).map((s) => s.name);
  const plan = buildPlan(catalog, updates, 'up');
  const after = new Map(plan.stacks.map((s) => [s.name, s.after]));
  return {
    steps: plan.waves.map((wave) => wave.map((name) => ({ name, after: after.get(name) ?? [], approvals: approvals[name] ?? 0 }))),
    destroys: destroys.map((d) => ({ name: d.name, allowed: d.allowed, approvals: approvals[d.name] ?? 0 })),
  };
}
