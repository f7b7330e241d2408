import path from 'node:path';
import { type ActionContext, say } from '../api/action-context.js';
import { asGitopsError } from '../errors/gitops-error.js';
import type { Forge } from '../forge/forge.js';
import { approvalDecision, requiredApprovals } from '../merge-request/approvals-gate.js';
import type { Plan } from '../schedule/plan.js';
import { parseStackFile } from '../stacks/parse.js';
import type { StackDefinition } from '../stacks/schema.js';

/** A person's explicit decision to deploy protected stacks without their approvals. */
export interface ApprovalOverride {
  reason: string;
}

/**
 * The approvals each stack needs when deployed by `--all`/`--stack`: the stricter of its
 * definition now and at HEAD's first parent, so the commit that lowers `approvals.required`
 * (or renames the file while doing so) cannot waive it. One `git diff` names the stack files
 * HEAD changed; only those are read again at HEAD^, instead of one git process per stack.
 */
async function strictestRequired(ctx: ActionContext, defs: readonly StackDefinition[]): Promise<Map<string, number>> {
  // No HEAD^ (a first commit, or no git): nothing to be stricter than.
  const changes = await ctx.git.changedFiles('HEAD^', 'HEAD').catch(() => []);
  const stacksDir = path.relative(ctx.layout.root, ctx.layout.stacksDir).split(path.sep).join('/');
  // Stack files HEAD changed, moved or deleted, as they were at HEAD^, by Pulumi identity: a
  // rename git does not pair up (a small file much edited) is still the same stack.
  const previous = new Map<string, StackDefinition>();
  for (const c of changes) {
    const oldPath = c.oldPath ?? c.path;
    if (c.status === 'A' || !oldPath.startsWith(`${stacksDir}/`) || !oldPath.endsWith('.yaml')) continue;
    const text = await ctx.git.show('HEAD^', oldPath).catch(() => undefined);
    const def = text === undefined ? undefined : parseStackFile(oldPath, path.basename(oldPath, '.yaml'), text).definition;
    if (def) previous.set(`${def.project}/${def.stack}`, def);
  }
  return new Map(
    defs.map((def) => {
      const before = previous.get(`${def.project}/${def.stack}`);
      return [def.name, Math.max(requiredApprovals(def), before ? requiredApprovals(before) : 0)];
    }),
  );
}

/**
 * `deploy --all` and `--stack` check protected stacks too: the merge request that landed the
 * checked-out commit must carry their approvals, exactly as deploy on merge checks them. Returns
 * the refusal of each stack that may not deploy. With an override nothing is refused: the caller
 * records the person's reason in every update message.
 */
export async function selectionRefusals(ctx: ActionContext, plan: Plan, override?: ApprovalOverride): Promise<Map<string, string>> {
  const refusals = new Map<string, string>();
  const defs = plan.stacks.map((s) => ctx.catalog.byName.get(s.name)!);
  const strictest = await strictestRequired(ctx, defs);
  const gated = defs.map((def) => ({ def, required: strictest.get(def.name)! })).filter((g) => g.required > 0);
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
