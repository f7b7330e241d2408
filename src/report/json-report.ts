import type { StackResult } from '../engine/result.js';

/** The JSON document of preview, deploy and destroy runs. Pure. */
export function operationJson(command: string, results: readonly StackResult[], extra: Record<string, unknown> = {}): string {
  const stack = (r: StackResult): Record<string, unknown> => ({
    name: r.name,
    operation: r.operation,
    status: r.status,
    changes: r.changes,
    resources: r.resources.map((res) => ({
      urn: res.urn,
      type: res.type,
      name: res.name,
      op: res.op,
      changedProperties: res.changedProperties,
    })),
    durationMs: r.durationMs,
    ...(r.outputs ? { outputs: r.outputs } : {}),
    ...(r.updateVersion !== undefined ? { updateVersion: r.updateVersion } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.skipReason ? { skipReason: r.skipReason } : {}),
    // Violations are redacted as they are collected.
    ...(r.policy ? { policy: r.policy } : {}),
    // A stack refused because its approved preview is stale: what deploying it would do now.
    ...(r.freshPreview ? { freshPreview: stack(r.freshPreview) } : {}),
  });
  const stacks = results.map(stack);
  return `${JSON.stringify({ command, ...extra, stacks }, null, 2)}\n`;
}
