import type { AffectedResult } from '../affected/model.js';
import { type StackResult, skippedResult } from '../engine/result.js';
import { describeReason } from '../report/affected-render.js';
import { buildPlan } from '../schedule/plan.js';
import type { RunContext } from '../schedule/run-context.js';
import { runPlan } from '../schedule/run-stacks.js';
import type { StackDefinition } from '../stacks/schema.js';

/** Reasons as text, by stack, for reports. */
export function reasonTexts(affected: AffectedResult): Record<string, string[]> {
  return Object.fromEntries(affected.stacks.map((s) => [s.name, s.reasons.map(describeReason)]));
}

/** A deleted stack's last definition, if it can still be read. */
export function destroyTargets(affected: AffectedResult): { name: string; definition?: StackDefinition }[] {
  return affected.stacks.filter((s) => s.action === 'destroy').map((s) => ({ name: s.name, definition: s.previous?.definition }));
}

/** The affected stacks that still exist (to preview or deploy), in catalogue terms. */
export function updateTargets(affected: AffectedResult, run: RunContext): string[] {
  return affected.stacks.filter((s) => s.action === 'update' && run.catalog.byName.has(s.name)).map((s) => s.name);
}

/**
 * `gitops preview --base REF`: previews the affected stacks (dependents included by the
 * affected computation), dependents after what they depend on, independents in parallel;
 * deleted stacks get a destroy preview.
 */
export async function previewAffected(affected: AffectedResult, run: RunContext): Promise<StackResult[]> {
  const results = await runPlan(buildPlan(run.catalog, updateTargets(affected, run), 'preview'), run);
  for (const target of destroyTargets(affected)) {
    if (run.signal?.aborted) {
      results.push(skippedResult(target.name, 'destroy-preview', 'cancelled before it started'));
      continue;
    }
    if (!target.definition) {
      results.push(skippedResult(target.name, 'destroy-preview', 'its last stack file cannot be read, so its Pulumi stack is unknown'));
      continue;
    }
    results.push(await run.engine.run({ stack: target.definition, operation: 'destroy-preview', signal: run.signal }, run.sink));
  }
  return results;
}
