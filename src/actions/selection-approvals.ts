import { asGitopsError } from '../errors/gitops-error.js';
import type { Forge } from '../forge/forge.js';
import { approvalDecision, requiredApprovals } from '../merge-request/approvals-gate.js';
import type { Plan } from '../plan/plan.js';
import { parseStackFile } from '../stacks/parse.js';
import type { StackDefinition } from '../stacks/schema.js';
import { type ActionContext, say } from './action-context.js';

/** A person's explicit decision to deploy protected stacks without their approvals. */
export interface ApprovalOverride {
  reason: string;
}

/**
 * The approvals a stack needs when deployed by `--all`/`--stack`: the stricter of its definition
 * now and at HEAD's first parent, so the commit that lowers `approvals.required` cannot waive it.
 */
async function strictestRequired(ctx: ActionContext, def: StackDefinition): Promise<number> {
  const before = await ctx.git.show('HEAD^', def.file).catch(() => undefined);
  const previous = before === undefined ? undefined : parseStackFile(def.file, def.name, before).definition;
  return Math.max(requiredApprovals(def), previous ? requiredApprovals(previous) : 0);
}

/**
 * `deploy --all` and `--stack` check protected stacks too: the merge request that landed the
 * checked-out commit must carry their approvals, exactly as deploy on merge checks them. Returns
 * the refusal of each stack that may not deploy. With an override nothing is refused: the caller
 * records the person's reason in every update message.
 */
export async function selectionRefusals(ctx: ActionContext, plan: Plan, override?: ApprovalOverride): Promise<Map<string, string>> {
  const refusals = new Map<string, string>();
  const gated: { def: StackDefinition; required: number }[] = [];
  for (const s of plan.stacks) {
    const def = ctx.catalog.byName.get(s.name)!;
    const required = await strictestRequired(ctx, def);
    if (required > 0) gated.push({ def, required });
  }
  if (gated.length === 0) return refusals;
  if (override) {
    say(ctx, `warning: deploying ${gated.map((g) => g.def.name).join(', ')} without checking approvals: ${override.reason}`, 'warning');
    return refusals;
  }
  let forge: Forge | undefined;
  try {
    forge = await ctx.forge();
  } catch (err) {
    say(ctx, `warning: approvals cannot be checked: ${asGitopsError(err).message}`, 'warning');
  }
  const head = await ctx.git.revParse('HEAD').catch(() => undefined);
  const mr = forge && head ? (await forge.landedMergeRequests([head]))[0]?.mergeRequest : undefined;
  const approvals = forge && mr ? await forge.mergeRequestApprovals(mr.number) : undefined;
  for (const { def, required } of gated) {
    const decision = approvalDecision({ ...def, approvals: { required } }, mr, approvals);
    if (!decision.allowed)
      refusals.set(def.name, `deploy refused: ${decision.reason} (a person may override: --override-approvals --reason TEXT)`);
  }
  return refusals;
}

/** The update message of an overriding deploy: who decided, and why, stays in the stack's history. */
export function overrideMessage(message: string | undefined, override: ApprovalOverride | undefined): string | undefined {
  if (!override) return message;
  return [message, `approvals overridden: ${override.reason}`].filter(Boolean).join(' | ');
}
