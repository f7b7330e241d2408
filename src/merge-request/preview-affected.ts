import type { AffectedResult } from '../affected/model.js';
import type { Engine } from '../engine/engine.js';
import type { ProgressSink } from '../engine/progress.js';
import type { StackResult } from '../engine/result.js';
import { buildPlan } from '../plan/plan.js';
import { describeReason } from '../affected/render.js';
import { schedule } from '../run/scheduler.js';
import type { StackCatalog } from '../stacks/load.js';
import type { StackDefinition } from '../stacks/schema.js';

export interface AffectedRunOptions {
  engine: Engine;
  catalog: StackCatalog;
  affected: AffectedResult;
  sink: ProgressSink;
  concurrency: number;
  signal?: AbortSignal;
  message?: string;
}

/** Reasons as text, by stack, for reports. */
export function reasonTexts(affected: AffectedResult): Record<string, string[]> {
  return Object.fromEntries(affected.stacks.map((s) => [s.name, s.reasons.map(describeReason)]));
}

/** A deleted stack's last definition, if it can still be read. */
export function destroyTargets(affected: AffectedResult): { name: string; definition?: StackDefinition }[] {
  return affected.stacks.filter((s) => s.action === 'destroy').map((s) => ({ name: s.name, definition: s.previous?.definition }));
}

/**
 * `gitops preview --base REF`: previews the affected stacks (dependents included by the
 * affected computation), dependents after what they depend on, independents in parallel;
 * deleted stacks get a destroy preview.
 */
export async function previewAffected(options: AffectedRunOptions): Promise<StackResult[]> {
  const { engine, catalog, affected, sink, signal } = options;
  const updates = affected.stacks.filter((s) => s.action === 'update' && catalog.byName.has(s.name)).map((s) => s.name);
  const plan = buildPlan(catalog, updates, 'preview');
  const results = await schedule(plan.stacks, (name) => engine.run({ stack: catalog.byName.get(name)!, operation: 'preview', signal }, sink), {
    operation: 'preview',
    concurrency: options.concurrency,
    signal,
  });
  for (const target of destroyTargets(affected)) {
    if (!target.definition) {
      results.push({ name: target.name, operation: 'destroy-preview', status: 'skipped', changes: {}, resources: [], durationMs: 0, skipReason: 'its last stack file cannot be read, so its Pulumi stack is unknown' });
      continue;
    }
    results.push(await engine.run({ stack: target.definition, operation: 'destroy-preview', signal }, sink));
  }
  return results;
}
