import type { PlanRequest } from '../engine/engine.js';
import { noChangeOps, type StackResult } from '../engine/result.js';
import type { StackDefinition } from '../stacks/schema.js';

/**
 * Why remediation must not run unattended, or undefined when it may: it would delete or
 * replace a resource (unless allowed; never a protected one), or change more resources than
 * the stack's limit.
 */
export function remediationGuard(preview: StackResult, def: StackDefinition, allowDestroy: boolean): string | undefined {
  const destructive = preview.resources.filter((r) => r.op === 'delete' || r.op === 'replace');
  const protectedHit = destructive.filter((r) => r.protected);
  if (protectedHit.length > 0) return `would ${protectedHit[0]!.op} protected resource ${protectedHit[0]!.name}`;
  if (destructive.length > 0 && !allowDestroy) {
    return `would ${destructive.map((r) => `${r.op} ${r.name}`).join(', ')}; rerun with --allow-destroy to let it`;
  }
  const changing = preview.resources.filter((r) => !noChangeOps.has(r.op) && r.type !== 'pulumi:pulumi:Stack');
  const limit = def.drift.maxChanges;
  if (limit !== undefined && changing.length > limit)
    return `would change ${changing.length} resources, more than drift.maxChanges (${limit})`;
  return undefined;
}

/**
 * The plan the guard's preview saved, which bounds what remediation may do: its refresh first
 * checks that the state is still the one the guard previewed, and its `up` obeys the plan, so it
 * can never do more than the guard saw. Undefined when the preview saved none: then remediation
 * must not run (fail closed).
 */
export function guardedPlan(preview: StackResult): { refresh: PlanRequest; up: PlanRequest } | undefined {
  const planned = preview.planned;
  if (!planned?.file) return undefined;
  return {
    refresh: { expectState: planned.state },
    up: { file: planned.file, ...(planned.encryptionSalt ? { encryptionSalt: planned.encryptionSalt } : {}) },
  };
}
