import type { AffectedResult } from '../affected/model.js';
import { type StackResult, skippedResult } from '../engine/result.js';
import type { Approvals, Forge, MergeRequestRef } from '../forge/forge.js';
import { buildPlan } from '../schedule/plan.js';
import type { RunContext } from '../schedule/run-context.js';
import { runPlan } from '../schedule/run-stacks.js';
import { approvalDecision, requiredApprovals } from './approvals-gate.js';
import { type BaseDefinitions, governingDefinition } from './base-policy.js';
import { destroyTargets, updateTargets } from './preview-affected.js';

export interface DeployMergedOptions {
  /** Destroy deleted stacks even when their last definition did not allow it. */
  allowDestroy: boolean;
  /** Where approvals are checked; undefined when no forge is configured. */
  forge?: Forge;
  /** The full commit deployed: the update message names it, and each successful up records it. */
  commit: string;
  pipelineUrl?: string;
  /** The protected side: approvals and allowDestroy are read from here, never from the head. */
  base: BaseDefinitions;
  /**
   * What the push landed, oldest first: each first-parent commit and the stacks it changed. A
   * protected stack needs the approvals of every merge request that changed it. Default: one
   * landing, `commit`, that changed every affected stack.
   */
  landings?: readonly Landing[];
}

/** One commit a push landed on the default branch, and the stacks it changed directly. */
export interface Landing {
  commit: string;
  stacks: ReadonlySet<string>;
}

export interface DeployMergedResult {
  results: StackResult[];
  mergeRequest?: MergeRequestRef;
}

/** The update message recorded in each stack's history: the audit trail of what deployed it. */
export function updateMessage(commit: string, mr: MergeRequestRef | undefined, pipelineUrl: string | undefined): string {
  return [
    `gitops deploy of ${commit.slice(0, 12)}`,
    mr ? `merge request #${mr.number}${mr.title ? ` "${mr.title}"` : ''}` : '',
    pipelineUrl ?? '',
  ]
    .filter(Boolean)
    .join(' | ');
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
  for (const d of destroys)
    governing.set(d.name, d.definition ? { definition: d.definition } : { problem: 'its last stack file cannot be read' });
  const gated = [...governing].filter(([, g]) => g.definition && requiredApprovals(g.definition) > 0).map(([n]) => n);
  const landings = options.landings ?? [{ commit: options.commit, stacks: new Set([...governing.keys()]) }];
  const refusals = new Map<string, string>();
  for (const [name, g] of governing) if (g.problem) refusals.set(name, `deploy refused: ${g.problem}`);
  // Each landed commit's merge request, and its approvals, looked up once, only when a protected stack needs them.
  const landed = gated.length > 0 && forge ? await forge.landedMergeRequests(landings.map((l) => l.commit)) : [];
  const approvalsOf = new Map<number, Promise<Approvals>>();
  const approvals = (mr: MergeRequestRef) =>
    approvalsOf.get(mr.number) ?? approvalsOf.set(mr.number, forge!.mergeRequestApprovals(mr.number)).get(mr.number)!;
  const mergeRequest = landed.find((l) => l.commit === options.commit)?.mergeRequest;
  for (const name of gated) {
    // The merge requests that changed this stack; a stack affected only through a dependency answers to the last one.
    const touching = landings.filter((l) => l.stacks.has(name));
    for (const landing of touching.length > 0 ? touching : landings.slice(-1)) {
      const mr = landed.find((l) => l.commit === landing.commit)?.mergeRequest;
      const decision = approvalDecision(governing.get(name)!.definition!, mr, mr ? await approvals(mr) : undefined);
      if (decision.allowed) continue;
      const where = landings.length > 1 ? ` (commit ${landing.commit.slice(0, 12)})` : '';
      refusals.set(
        name,
        `deploy refused: ${decision.reason}${where}${forge ? '' : ' (no GitLab/GitHub API configured to check approvals)'}`,
      );
      break;
    }
  }
  const message = run.message ?? updateMessage(options.commit, mergeRequest, options.pipelineUrl);
  // Each stack whose up succeeds records this commit as deployed (its `gitops:commit` tag).
  const withMessage = { ...run, message, commit: options.commit };
  const results = await runPlan(buildPlan(catalog, updates, 'up'), withMessage, (name) => refusals.get(name));
  // A destroy is a change like any other: it needs allowDestroy and the approvals of its base definition.
  for (const target of destroys) {
    const allowed = options.allowDestroy || target.definition?.allowDestroy === true;
    const refused = refusals.get(target.name);
    if (run.signal?.aborted) results.push(skippedResult(target.name, 'destroy', 'cancelled before it started'));
    else if (!target.definition) results.push(skippedResult(target.name, 'destroy', 'left alone: its last stack file cannot be read'));
    else if (!allowed)
      results.push(
        skippedResult(
          target.name,
          'destroy',
          'left alone: stack file deleted, but its last definition did not set allowDestroy (pass --allow-destroy to destroy it)',
          true,
        ),
      );
    else if (refused) results.push(skippedResult(target.name, 'destroy', refused));
    else results.push(await run.engine.run({ stack: target.definition, operation: 'destroy', signal: run.signal, message }, run.sink));
  }
  return { results, mergeRequest };
}
