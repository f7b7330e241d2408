import type { Approvals, MergeRequestRef } from '../forge/forge.js';
import type { StackDefinition } from '../stacks/schema.js';

export interface ApprovalDecision {
  allowed: boolean;
  /** Why the stack may not deploy; absent when allowed. */
  reason?: string;
}

/** How many approvals a stack's merge request needs before deploy (0: none). */
export function requiredApprovals(def: StackDefinition): number {
  return def.approvals?.required ?? 0;
}

/** "; not counted: alice (the author of the merge request), bot[bot] (a bot)", or '' when none. */
function notCounted(approvals: Approvals): string {
  const ignored = approvals.ignored ?? [];
  return ignored.length > 0 ? `; not counted: ${ignored.map((i) => `${i.user} (${i.reason})`).join(', ')}` : '';
}

/**
 * Change by committee: a stack that requires approvals deploys only when the merged merge
 * request that landed the commit was approved, for its final commit, by at least that many
 * people who may approve (the forge decides who counts: see {@link Approvals}). Pure.
 */
export function approvalDecision(
  def: StackDefinition,
  mr: MergeRequestRef | undefined,
  approvals: Approvals | undefined,
): ApprovalDecision {
  const required = requiredApprovals(def);
  if (required === 0) return { allowed: true };
  const needs = `needs ${required} approval${required === 1 ? '' : 's'}`;
  if (!mr || !approvals) return { allowed: false, reason: `${needs}, but no merge request was found for this commit` };
  if (approvals.unverifiable) return { allowed: false, reason: `${needs}; merge request #${mr.number}: ${approvals.unverifiable}` };
  const count = approvals.approvers.length;
  if (!approvals.approved || count < required) {
    const by = approvals.changesRequestedBy?.length ? `; changes requested by ${approvals.changesRequestedBy.join(', ')}` : '';
    return { allowed: false, reason: `${needs}; merge request #${mr.number} has ${count}${by}${notCounted(approvals)}` };
  }
  return { allowed: true };
}
