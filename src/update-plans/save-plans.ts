import type { Engine } from '../engine/engine.js';
import type { StackResult } from '../engine/result.js';
import { withRun } from './bind-engine.js';
import type { PlanRecord } from './plan-record.js';
import { type PlanStore, planFileName } from './plan-store.js';

/** What the previewed commit was. */
export interface PreviewedCommit {
  commit: string;
  tree: string;
  clock: () => Date;
}

/** Why a preview left no plan: its skip reason, or its error code (messages can carry program output). */
function unplannedReason(result: StackResult): string {
  if (result.status === 'skipped') return `its preview was skipped: ${result.skipReason ?? 'no reason given'}`;
  if (result.status === 'succeeded') return 'its preview saved no plan';
  return `its preview ${result.status}${result.error ? ` (${result.error.code})` : ''}`;
}

/**
 * An engine for `preview --save-plans DIR`: each preview saves its Pulumi plan and each destroy
 * preview the state it saw, and every stack previewed gets a record in the store, planned or
 * saying why not. Deploy then binds each update to it (see `planDecision`).
 */
export function savingPlans(engine: Engine, store: PlanStore, previewed: PreviewedCommit): Engine {
  return withRun(engine, async (request, sink) => {
    if (request.operation !== 'preview' && request.operation !== 'destroy-preview') return engine.run(request, sink);
    const result = await engine.run({ ...request, plan: {} }, sink);
    const { stack } = request;
    const up = request.operation === 'preview';
    const planned = result.status === 'succeeded' ? result.planned : undefined;
    const record: PlanRecord = {
      format: 1,
      stack: stack.name,
      project: stack.project,
      pulumiStack: stack.stack,
      operation: up ? 'up' : 'destroy',
      commit: previewed.commit,
      tree: previewed.tree,
      ...(planned && (!up || planned.file) ? {} : { unplanned: unplannedReason(result) }),
      ...(planned ? { state: planned.state } : {}),
      ...(planned?.file && up ? { planFile: planFileName(stack.name) } : {}),
      ...(planned?.encryptionSalt ? { encryptionSalt: planned.encryptionSalt } : {}),
      resources: result.resources.map((r) => ({ urn: r.urn, op: r.op, changedProperties: r.changedProperties })),
      previewedAt: previewed.clock().toISOString(),
    };
    await store.save(record, up ? planned?.file : undefined);
    return result;
  });
}
