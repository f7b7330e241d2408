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

/**
 * Change by committee: a stack that requires approvals deploys only when the merge request it
 * came from was approved by at least that many people. Pure.
 */
export function approvalDecision(def: StackDefinition, mr: MergeRequestRef | undefined, approvals: Approvals | undefined): ApprovalDecision {
  const required = requiredApprovals(def);
  if (required === 0) return { allowed: true };
  if (!mr || !approvals) return { allowed: false, reason: `needs ${required} approval${required === 1 ? '' : 's'}, but no merge request was found for this commit` };
  const count = approvals.approvers.length;
  if (!approvals.approved || count < required) {
    const by = approvals.changesRequestedBy?.length ? `; changes requested by ${approvals.changesRequestedBy.join(', ')}` : '';
    return { allowed: false, reason: `needs ${required} approval${required === 1 ? '' : 's'}; merge request #${mr.number} has ${count}${by}` };
  }
  return { allowed: true };
}
