import type { Forge, MergeRequestRef } from '../forge/forge.js';
import type { StackResult } from '../engine/result.js';
import { buildPlan } from '../plan/plan.js';
import { schedule } from '../run/scheduler.js';
import { approvalDecision, requiredApprovals } from './approvals-gate.js';
import { destroyTargets, type AffectedRunOptions } from './preview-affected.js';

export interface DeployMergedOptions extends AffectedRunOptions {
  /** Destroy deleted stacks even when their last definition did not allow it. */
  allowDestroy: boolean;
  /** Where approvals are checked; undefined when no forge is configured. */
  forge?: Forge;
  commit: string;
  pipelineUrl?: string;
}

export interface DeployMergedResult {
  results: StackResult[];
  mergeRequest?: MergeRequestRef;
}

function skipped(name: string, operation: StackResult['operation'], reason: string, benign = false): StackResult {
  return { name, operation, status: 'skipped', changes: {}, resources: [], durationMs: 0, skipReason: reason, ...(benign ? { benign } : {}) };
}

/** The update message recorded in each stack's history: the audit trail of what deployed it. */
export function updateMessage(commit: string, mr: MergeRequestRef | undefined, pipelineUrl: string | undefined): string {
  return [`gitops deploy of ${commit.slice(0, 12)}`, mr ? `merge request #${mr.number}${mr.title ? ` "${mr.title}"` : ''}` : '', pipelineUrl ?? ''].filter(Boolean).join(' | ');
}

/**
 * `gitops deploy --base REF` after a merge: `up` for the affected stacks in dependency order,
 * refusing stacks whose approvals are missing (their dependents stop too, unrelated stacks
 * carry on), then destroys for deleted stack files that allowed it.
 */
export async function deployMerged(options: DeployMergedOptions): Promise<DeployMergedResult> {
  const { engine, catalog, affected, sink, signal, forge } = options;
  const updates = affected.stacks.filter((s) => s.action === 'update' && catalog.byName.has(s.name)).map((s) => s.name);
  const gated = updates.filter((n) => requiredApprovals(catalog.byName.get(n)!) > 0);
  const mergeRequest = gated.length > 0 && forge ? await forge.mergeRequestForCommit(options.commit) : undefined;
  const approvals = mergeRequest && forge ? await forge.mergeRequestApprovals(mergeRequest.number) : undefined;
  const refusals = new Map<string, string>();
  for (const name of gated) {
    const decision = approvalDecision(catalog.byName.get(name)!, mergeRequest, approvals);
    if (!decision.allowed) refusals.set(name, `deploy refused: ${decision.reason}${forge ? '' : ' (no GitLab/GitHub API configured to check approvals)'}`);
  }
  const message = options.message ?? updateMessage(options.commit, mergeRequest, options.pipelineUrl);
  const plan = buildPlan(catalog, updates, 'up');
  const results = await schedule(
    plan.stacks,
    async (name) => {
      const refusal = refusals.get(name);
      if (refusal) return skipped(name, 'up', refusal);
      return engine.run({ stack: catalog.byName.get(name)!, operation: 'up', signal, message }, sink);
    },
    { operation: 'up', concurrency: options.concurrency, signal },
  );
  for (const target of destroyTargets(affected)) {
    const allowed = options.allowDestroy || target.definition?.allowDestroy === true;
    if (!target.definition) results.push(skipped(target.name, 'destroy', 'left alone: its last stack file cannot be read'));
    else if (!allowed) results.push(skipped(target.name, 'destroy', 'left alone: stack file deleted, but its last definition did not set allowDestroy (pass --allow-destroy to destroy it)', true));
    else results.push(await engine.run({ stack: target.definition, operation: 'destroy', signal, message }, sink));
  }
  return { results, mergeRequest };
}
