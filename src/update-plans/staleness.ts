import type { PlanRecord } from './plan-record.js';

/** What deploy knows of a stack before it runs it. */
export interface DeployFacts {
  /** The Pulumi identity the deploy will act on. */
  project: string;
  pulumiStack: string;
  operation: 'up' | 'destroy';
  /** The commit deployed, and its tree (`<commit>^{tree}`). */
  commit: string;
  tree: string;
}

/** Deploy the stack bound to its approved preview's plan, or refuse it as stale. */
export type PlanDecision = { bound: true; record: PlanRecord } | { bound: false; reason: string };

const stale = (reason: string): PlanDecision => ({ bound: false, reason });

/**
 * Whether a stored preview may bind this deploy of a stack. Pure. The state version is checked
 * later, by the engine, right before the update (`PlanRequest.expectState`), so the window in
 * which the state can move unseen is as short as it can be without holding the lock throughout.
 *
 * A stack with no record is refused, not deployed unbound: `--plans` promises that every update
 * is one a reviewer saw, and a stack the preview never planned (not in that merge request's
 * preview, skipped for want of its secrets, or a preview that failed) has nothing to bind it to.
 * Deploying it anyway would make the binding optional exactly when it matters.
 */
export function planDecision(record: PlanRecord | undefined, now: DeployFacts): PlanDecision {
  if (!record) return stale('no approved preview was stored for it (the merge request preview did not plan this stack)');
  if (record.unplanned) return stale(`the merge request preview could not plan it: ${record.unplanned}`);
  if (record.project !== now.project || record.pulumiStack !== now.pulumiStack)
    return stale(
      `the preview was of Pulumi stack ${record.project}/${record.pulumiStack}, this deploy is of ${now.project}/${now.pulumiStack}`,
    );
  if (record.operation !== now.operation) return stale(`the preview planned ${record.operation}, this deploy would ${now.operation}`);
  if (record.tree !== now.tree) {
    return stale(
      `the merged tree (${short(now.tree)}, commit ${short(now.commit)}) is not the previewed tree (${short(record.tree)}, ` +
        `commit ${short(record.commit)}): the program or stack files changed since the preview`,
    );
  }
  if (!record.state) return stale('the stored preview does not record the state it was made against');
  if (now.operation === 'up' && !record.planFile) return stale('the stored preview has no plan file');
  return { bound: true, record };
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
