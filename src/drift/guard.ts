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
