import type { StackResult } from '../engine/result.js';

/** The JSON document of preview, deploy and destroy runs. Pure. */
export function operationJson(command: string, results: readonly StackResult[], extra: Record<string, unknown> = {}): string {
  const stacks = results.map((r) => ({
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
    ...(r.error ? { error: r.error } : {}),
    ...(r.skipReason ? { skipReason: r.skipReason } : {}),
  }));
  return `${JSON.stringify({ command, ...extra, stacks }, null, 2)}\n`;
}
