import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { relativeDir } from '../affected/affected-from-changes.js';
import { type ActionContext, runContextOf, say } from '../api/action-context.js';
import { checkedForge } from '../api/checked-forge.js';
import type { StackResult } from '../engine/result.js';
import type { CommentResult } from '../forge/forge.js';
import { bodyBudget } from '../forge/markers.js';
import { packChanges } from '../policy/pack-changes.js';
import { policyContext, withPolicyChecks } from '../policy/policy-checks.js';
import { renderGraphMermaid } from '../report/graph-render.js';
import { type PreviewReportInput, previewMarkdown } from '../report/preview-markdown.js';
import { resourceCounts } from '../report/resource-counts.js';
import { redactDeep } from '../secrets/redact-deep.js';
import { planSavingEngine } from '../update-plans/plan-engines.js';
import { requiredApprovals } from './approvals-gate.js';
import { type BaseDefinitions, governingDefinition, policyChanges, protectedEnv, readBaseDefinitions } from './base-policy.js';
import type { ChangeScope } from './change-scope.js';
import { downstreamImpact } from './downstream-impact.js';
import { onMergePlan } from './on-merge.js';
import { destroyTargets, previewAffected, reasonTexts } from './preview-affected.js';

/** The key of the one MR comment the preview keeps up to date. */
export const previewCommentKey = 'preview';

/** What reviewers are shown, before it is cut to a platform's size limit. Data only: the renderer gets `redact` at render time. */
export type PreviewReport = Omit<PreviewReportInput, 'limit' | 'redact' | 'valueLimits'>;

export interface MergeRequestPreview {
  results: StackResult[];
  report: PreviewReport;
  /** The MR comment, when one was posted. */
  comment?: CommentResult;
}

/** Approvals deploy will ask for, per affected stack: those of its base definition (the protected side). */
function enforcedApprovals(scope: ChangeScope, base: BaseDefinitions): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of scope.affected.stacks) {
    const def = s.action === 'destroy' ? s.previous?.definition : governingDefinition(s.name, scope.catalog, base).definition;
    if (def && requiredApprovals(def) > 0) out[s.name] = requiredApprovals(def);
  }
  return out;
}

/**
 * The root Pulumi.yaml of the base, whose state backend the merge request's preview uses: the
 * change's own `backend.url` (where the job would send its credentials) applies after the merge.
 * Undefined without a base commit (`--files`): the working tree's applies.
 */
async function baseProjectText(ctx: ActionContext, base: string | null): Promise<string | null | undefined> {
  if (base === null) return undefined;
  const text = (await ctx.git.show(base, 'Pulumi.yaml')) ?? null;
  const head = await readFile(path.join(ctx.layout.root, 'Pulumi.yaml'), 'utf8').catch(() => null);
  if (text !== head) say(ctx, "Pulumi.yaml differs from the base's: this preview uses the base's state backend setting");
  return text;
}

/** The reviewers' report of a merge request preview. Pure; `base` holds the protected side's definitions. */
export function previewReport(scope: ChangeScope, results: StackResult[], base: BaseDefinitions, pipelineUrl?: string): PreviewReport {
  const { affected, catalog, nodes } = scope;
  const affectedNames = new Set(affected.stacks.map((s) => s.name));
  const deleting = new Map(results.filter((r) => r.operation === 'destroy-preview').map((r) => [r.name, r]));
  const approvals = enforcedApprovals(scope, base);
  const destroys = destroyTargets(affected).map((d) => {
    const preview = deleting.get(d.name);
    return {
      name: d.name,
      allowed: d.definition?.allowDestroy === true,
      // The Stack resource is not counted: it is Pulumi's bookkeeping, not one of the stack's resources.
      resources: preview?.status === 'succeeded' ? (resourceCounts(preview).delete ?? 0) : undefined,
      file: affected.stacks.find((s) => s.name === d.name)?.previous?.file,
    };
  });
  const downstream = downstreamImpact(results, nodes);
  return {
    results,
    commit: affected.head ?? undefined,
    base: affected.base ?? undefined,
    pipelineUrl,
    approvals,
    renames: Object.fromEntries(affected.stacks.flatMap((s) => (s.renamedFrom ? [[s.name, s.renamedFrom.file]] : []))),
    policyChanges: policyChanges(affected, catalog, base),
    reasons: reasonTexts(affected),
    graphMermaid: renderGraphMermaid(
      nodes.filter((n) => affectedNames.has(n.name)).map((n) => ({ ...n, dependsOn: n.dependsOn.filter((d) => affectedNames.has(d)) })),
      affectedNames,
    ),
    destroys,
    onMerge: onMergePlan(affected, catalog, approvals, destroys),
    downstream,
  };
}

/**
 * `gitops preview --base REF`: previews the affected stacks (and their dependents) for
 * reviewers and, with `comment`, keeps the one MR comment up to date.
 */
export async function previewMergeRequest(
  ctx: ActionContext,
  scope: ChangeScope,
  /** `savePlans`: store each stack's plan there for `deploy --plans` (see `planSavingEngine`). */
  options: { comment: boolean; savePlans?: string; head?: string },
): Promise<MergeRequestPreview> {
  const { affected, catalog } = scope;
  // A missing forge setting is refused before anything runs.
  const forge = options.comment ? await checkedForge(ctx, 'preview') : undefined;
  const base = await readBaseDefinitions(ctx.git, affected, ctx.catalog, relativeDir(ctx.layout, ctx.layout.stacksDir));
  // Programs run with the environment the base gives them, not one this change adds.
  const running = protectedEnv(catalog, base);
  // The packs in force are the protected side's; the merge request's new ones only advise.
  const opened = await withPolicyChecks(
    ctx,
    await ctx.engine(
      affected.stacks.flatMap((s) => running.byName.get(s.name) ?? []),
      { projectText: await baseProjectText(ctx, affected.base) },
    ),
    affected.stacks.map((s) => s.name),
    { enforced: affected.base ?? undefined, proposed: affected.head ?? undefined },
  );
  const engine = options.savePlans ? await planSavingEngine(ctx, opened, options.savePlans, options.head) : opened;
  const results = await previewAffected(affected, runContextOf(ctx, engine, { catalog: running }));
  const report = {
    ...previewReport(scope, results, base, ctx.ci.pipelineUrl),
    packChanges: affected.base && affected.head ? await packChanges(policyContext(ctx), affected.base, affected.head) : [],
  };
  if (ctx.ci.jobUrl) report.jobUrl = ctx.ci.jobUrl;
  if (!forge) return { results, report };
  const comment = await forge.upsertMergeRequestComment(
    previewCommentKey,
    // Redacted first, raw, before the renderer escapes and cuts; the rendered comment once more, for what no field held.
    ctx.redact(
      previewMarkdown({ ...redactDeep(report, ctx.redact), redact: ctx.redact, limit: bodyBudget(forge.platform, previewCommentKey) }),
    ),
  );
  say(ctx, `merge request comment ${comment.action}${comment.url ? `: ${comment.url}` : ''}`);
  return { results, report, comment };
}
