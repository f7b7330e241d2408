import type { Engine, RunRequest } from '../engine/engine.js';
import type { ProgressEvent, ProgressSink } from '../engine/progress.js';
import type { StackResult } from '../engine/result.js';

/**
 * An update checked by its packs before it starts: Pulumi checks a resource when the program
 * registers it, and a resource that depends on another's outputs registers only once that one
 * exists, so a violation found during `up` comes after earlier resources were created. The
 * preview (the same program, packs, targets and refresh; no plan, commit or message) sees every
 * resource first: a mandatory violation there ends the run with nothing changed (shown by that
 * preview's diagnostics, not its resource steps, which never ran); otherwise the update runs, and
 * its events alone are shown.
 */
export async function checkedUpdate(engine: Engine, request: RunRequest, sink: ProgressSink): Promise<StackResult> {
  const { plan: _plan, commit: _commit, message: _message, ...rest } = request;
  const held: ProgressEvent[] = [];
  const check = await engine.run({ ...rest, operation: 'preview' }, (event) => held.push(event));
  if (check.status !== 'failed' || check.error?.code !== 'POLICY_VIOLATION') return engine.run(request, sink);
  const result: StackResult = { ...check, operation: request.operation, changes: {}, resources: [] };
  for (const event of held) {
    if (event.type === 'stack-start') sink({ ...event, operation: request.operation });
    else if (event.type === 'stack-done') sink({ ...event, result });
    else if (event.type !== 'resource-start' && event.type !== 'resource-done') sink(event);
  }
  return result;
}
