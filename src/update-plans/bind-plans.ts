import type { Engine, RunRequest } from '../engine/engine.js';
import type { ProgressSink } from '../engine/progress.js';
import type { StackResult } from '../engine/result.js';
import { describeChanges } from '../report/console-progress.js';
import type { StackDefinition } from '../stacks/schema.js';
import { withRun } from './bind-engine.js';
import { describeDifferences, operationDifferences } from './compare-operations.js';
import type { PlanRecord } from './plan-record.js';
import type { PlanStore } from './plan-store.js';
import { type PlanDecision, planDecision } from './staleness.js';

/** What deploy binds to: the store and the commit being deployed. */
export interface DeployedCommit {
  commit: string;
  tree: string;
}

/**
 * An engine for `deploy --plans DIR`: each `up` and `destroy` runs bound to the stack's approved
 * preview (its Pulumi plan, and the state it was made against), or is refused as stale
 * (PREVIEW_STALE) with a fresh preview of what it would do now. A refused stack is `failed`, so
 * its dependents are skipped and the run exits 1. Other operations pass through.
 */
export function bindingPlans(engine: Engine, store: PlanStore, records: ReadonlyMap<string, PlanRecord>, deployed: DeployedCommit): Engine {
  return withRun(engine, async (request, sink) => {
    const { stack, operation } = request;
    if (operation !== 'up' && operation !== 'destroy') return engine.run(request, sink);
    const record = records.get(stack.name);
    const decision: PlanDecision = planDecision(record, {
      project: stack.project,
      pulumiStack: stack.stack,
      operation,
      commit: deployed.commit,
      tree: deployed.tree,
    });
    if (!decision.bound) {
      sink({ type: 'stack-start', stack: stack.name, operation });
      const refused = await refuseStale(
        engine,
        request,
        sink,
        `stack ${stack.name}: the approved preview is stale: ${decision.reason}`,
        record,
      );
      sink({ type: 'stack-done', stack: stack.name, result: refused });
      return refused;
    }
    const bound = decision.record;
    const result = await engine.run(
      {
        ...request,
        plan: {
          ...(operation === 'up' ? { file: store.planPath(bound) } : {}),
          ...(bound.encryptionSalt ? { encryptionSalt: bound.encryptionSalt } : {}),
          expectState: bound.state,
        },
      },
      sink,
    );
    if (result.error?.code !== 'PREVIEW_STALE') return result;
    return {
      ...(await refuseStale(engine, request, sink, result.error.message, bound)),
      changes: result.changes,
      resources: result.resources,
    };
  });
}

/**
 * The refusal of a stale stack, with a fresh preview of it (which writes nothing) and how that
 * preview differs from the approved one, so the report says what deploying it would do now.
 */
async function refuseStale(
  engine: Engine,
  request: RunRequest,
  sink: ProgressSink,
  reason: string,
  record: PlanRecord | undefined,
): Promise<StackResult> {
  const fresh = await freshPreview(engine, request.stack, request.operation, request.signal, sink);
  let now = `a fresh preview could not be made (${fresh.error?.code ?? fresh.status})`;
  if (fresh.status === 'succeeded') {
    const diffs = record ? operationDifferences(record.resources, fresh.resources) : [];
    now = `a fresh preview shows ${describeChanges(fresh.changes)}${diffs.length > 0 ? `; differs from the approved preview: ${describeDifferences(diffs)}` : ''}`;
  }
  return {
    name: request.stack.name,
    operation: request.operation,
    status: 'failed',
    changes: {},
    resources: [],
    durationMs: fresh.durationMs,
    error: { code: 'PREVIEW_STALE', message: `${reason}\n  ${now}\n  (merge a fresh preview: push again, review it, then deploy)` },
    freshPreview: fresh,
  };
}

function freshPreview(
  engine: Engine,
  stack: StackDefinition,
  operation: RunRequest['operation'],
  signal: AbortSignal | undefined,
  sink: ProgressSink,
): Promise<StackResult> {
  return engine.run({ stack, operation: operation === 'destroy' ? 'destroy-preview' : 'preview', signal }, sink);
}
