import type { RecordRead } from '../backend-state/read-records.js';
import type { Engine } from '../engine/engine.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { Plan } from '../schedule/plan.js';
import type { Refusal } from '../schedule/run-stacks.js';
import { dependenciesOutside } from '../schedule/with-dependencies.js';
import type { StackCatalog } from '../stacks/load.js';

/**
 * Whether a record says for sure the stack was never deployed: the backend was read and holds
 * no state for it, or only the empty state a preview leaves (no update in its history, no
 * resource, so no outputs). A record read through the CLI (Pulumi Cloud) or that failed says nothing.
 */
export function neverDeployed(read: RecordRead | undefined): boolean {
  if (read?.ok !== true || read.record === undefined) return false;
  const { exists, version, state } = read.record;
  return !exists || (version === 0 && state !== undefined && state.resources === 0);
}

/**
 * Before anything runs: a planned stack whose dependency is left out of the plan and was never
 * deployed cannot run (its StackReference finds no stack). Refuses the whole run (exit 2),
 * one line per such dependency, naming what to deploy first or `--with-deps`.
 */
export async function refuseUndeployedDependencies(catalog: StackCatalog, engine: Engine, plan: Plan): Promise<void> {
  const outside = dependenciesOutside(
    catalog.stacks,
    plan.stacks.map((s) => s.name),
  );
  if (outside.length === 0) return;
  const deps = [...new Set(outside.map((o) => o.dependency))];
  const records = await engine.deployRecords(deps.map((d) => catalog.byName.get(d)!));
  const missing = outside.filter((o) => neverDeployed(records.get(o.dependency)));
  if (missing.length === 0) return;
  const names = [...new Set(missing.map((m) => m.dependency))];
  const lines = missing.map((m) => `stack ${m.stack} depends on ${m.dependency}, which has never been deployed`);
  throw new GitopsError({
    code: 'DEPENDENCY_NOT_DEPLOYED',
    kind: 'user',
    message: lines.length === 1 ? lines[0]! : `${lines.length} dependencies of the selected stacks have never been deployed`,
    details: lines.length === 1 ? [] : lines,
    hint: `deploy ${names.length === 1 ? 'it' : 'them'} first (gitops deploy ${names.map((n) => `--stack ${n}`).join(' ')}), or add --with-deps to take the dependencies along`,
  });
}

/**
 * A preview cannot read the outputs of a planned dependency that was never deployed: they
 * exist only after its first deploy. Such a stack, and whatever depends on it in the plan, is
 * held back by design (not a failure), saying which dependency it waits for.
 */
export async function previewHolds(catalog: StackCatalog, engine: Engine, plan: Plan): Promise<(name: string) => Refusal | undefined> {
  if (plan.operation !== 'preview') return () => undefined;
  const planned = new Set(plan.stacks.map((s) => s.name));
  const depended = [...new Set(plan.stacks.flatMap((s) => catalog.byName.get(s.name)?.dependsOn ?? []))].filter((d) => planned.has(d));
  if (depended.length === 0) return () => undefined;
  const records = await engine.deployRecords(depended.map((d) => catalog.byName.get(d)!));
  const waitsFor = new Map<string, string>();
  // Plan order is dependency order: a stack's dependencies are decided before it.
  for (const { name } of plan.stacks) {
    for (const dep of catalog.byName.get(name)?.dependsOn ?? []) {
      if (!planned.has(dep)) continue;
      const root = neverDeployed(records.get(dep)) ? dep : waitsFor.get(dep);
      if (root !== undefined) {
        waitsFor.set(name, root);
        break;
      }
    }
  }
  return (name) => {
    const root = waitsFor.get(name);
    if (root === undefined) return undefined;
    return { reason: `not previewed: ${root} has never been deployed, and its outputs exist only after its first deploy`, benign: true };
  };
}
