import type { AffectedResult } from '../affected/model.js';
import { skippedResult, type StackResult } from '../engine/result.js';
import type { Forge, MergeRequestRef } from '../forge/forge.js';
import { buildPlan } from '../plan/plan.js';
import type { RunContext } from '../run/run-context.js';
import { runPlan } from '../run/run-stacks.js';
import { approvalDecision, requiredApprovals } from './approvals-gate.js';
import { governingDefinition, type BaseDefinitions } from './base-policy.js';
import { destroyTargets, updateTargets } from './preview-affected.js';

export interface DeployMergedOptions {
  /** Destroy deleted stacks even when their last definition did not allow it. */
  allowDestroy: boolean;
  /** Where approvals are checked; undefined when no forge is configured. */
  forge?: Forge;
  commit: string;
  pipelineUrl?: string;
  /** The protected side: approvals and allowDestroy are read from here, never from the head. */
  base: BaseDefinitions;
}

export interface DeployMergedResult {
  results: StackResult[];
  mergeRequest?: MergeRequestRef;
}

/** The update message recorded in each stack's history: the audit trail of what deployed it. */
export function updateMessage(commit: string, mr: MergeRequestRef | undefined, pipelineUrl: string | undefined): string {
  return [`gitops deploy of ${commit.slice(0, 12)}`, mr ? `merge request #${mr.number}${mr.title ? ` "${mr.title}"` : ''}` : '', pipelineUrl ?? ''].filter(Boolean).join(' | ');
}

/**
 * `gitops deploy --base REF` after a merge: `up` for the affected stacks in dependency order,
 * refusing stacks whose approvals are missing (their dependents stop too, unrelated stacks
 * carry on), then destroys for stacks whose identity left the catalogue, where their base
 * definition allowed it and its approvals were given. Rules come from the base, never the head.
 */
export async function deployMerged(affected: AffectedResult, run: RunContext, options: DeployMergedOptions): Promise<DeployMergedResult> {
  const { catalog } = run;
  const { forge } = options;
  const updates = updateTargets(affected, run);
  const destroys = destroyTargets(affected);
  // Every stack's rules come from its base definition: an MR cannot waive its own approvals.
  const governing = new Map(updates.map((n) => [n, governingDefinition(n, catalog, options.base)]));
  for (const d of destroys) governing.set(d.name, d.definition ? { definition: d.definition } : { problem: 'its last stack file cannot be read' });
  const gated = [...governing].filter(([, g]) => g.definition && requiredApprovals(g.definition) > 0).map(([n]) => n);
  const mergeRequest = gated.length > 0 && forge ? await forge.mergeRequestForCommit(options.commit) : undefined;
  const approvals = mergeRequest && forge ? await forge.mergeRequestApprovals(mergeRequest.number) : undefined;
  const refusals = new Map<string, string>();
  for (const [name, g] of governing) if (g.problem) refusals.set(name, `deploy refused: ${g.problem}`);
  for (const name of gated) {
    const decision = approvalDecision(governing.get(name)!.definition!, mergeRequest, approvals);
    if (!decision.allowed) refusals.set(name, `deploy refused: ${decision.reason}${forge ? '' : ' (no GitLab/GitHub API configured to check approvals)'}`);
  }
  const message = run.message ?? updateMessage(options.commit, mergeRequest, options.pipelineUrl);
  const withMessage = { ...run, message };
  const results = await runPlan(buildPlan(catalog, updates, 'up'), withMessage, (name) => refusals.get(name));
  // A destroy is a change like any other: it needs allowDestroy and the approvals of its base definition.
  for (const target of destroys) {
    const allowed = options.allowDestroy || target.definition?.allowDestroy === true;
    const refused = refusals.get(target.name);
    if (run.signal?.aborted) results.push(skippedResult(target.name, 'destroy', 'cancelled before it started'));
    else if (!target.definition) results.push(skippedResult(target.name, 'destroy', 'left alone: its last stack file cannot be read'));
    else if (!allowed) results.push(skippedResult(target.name, 'destroy', 'left alone: stack file deleted, but its last definition did not set allowDestroy (pass --allow-destroy to destroy it)', true));
    else if (refused) results.push(skippedResult(target.name, 'destroy', refused));
    else results.push(await run.engine.run({ stack: target.definition, operation: 'destroy', signal: run.signal, message }, run.sink));
  }
  return { results, mergeRequest };
}
