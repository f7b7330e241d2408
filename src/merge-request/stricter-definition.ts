import type { StackDefinition } from '../stacks/schema.js';
import { requiredApprovals } from './approvals-gate.js';

/** The entries both lists hold (an ignore rule counts only where both definitions have it); undefined when none. */
function common(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] | undefined {
  const both = (a ?? []).filter((entry) => (b ?? []).includes(entry));
  return both.length > 0 ? both : undefined;
}

/**
 * The stricter of two definitions of one stack, field by field: the most approvals (a stack
 * protected by either stays protected), `allowDestroy` only when both allow it, drift `detect`
 * when either says so, the lower `maxChanges` (none counts as unlimited), and only the
 * `ignoreManagers`/`ignorePaths` entries both hold. Everything else (identity, config, program)
 * comes from `a`. Pure.
 */
export function stricterDefinition(a: StackDefinition, b: StackDefinition): StackDefinition {
  const required = Math.max(requiredApprovals(a), requiredApprovals(b));
  const limits = [a.drift.maxChanges, b.drift.maxChanges].filter((n): n is number => n !== undefined);
  const { maxChanges: _dropped, ignoreManagers: _managers, ignorePaths: _paths, ...drift } = a.drift;
  const ignoreManagers = common(a.drift.ignoreManagers, b.drift.ignoreManagers);
  const ignorePaths = common(a.drift.ignorePaths, b.drift.ignorePaths);
  return {
    ...a,
    ...(required > 0 || a.approvals ? { approvals: { required } } : {}),
    allowDestroy: a.allowDestroy && b.allowDestroy,
    drift: {
      ...drift,
      policy: a.drift.policy === 'detect' || b.drift.policy === 'detect' ? 'detect' : 'remediate',
      ...(limits.length > 0 ? { maxChanges: Math.min(...limits) } : {}),
      ...(ignoreManagers ? { ignoreManagers } : {}),
      ...(ignorePaths ? { ignorePaths } : {}),
    },
  };
}
