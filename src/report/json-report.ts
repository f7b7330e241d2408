import type { ResourceChange, StackResult } from '../engine/result.js';

/**
 * The version of the `--json` documents' shape. It goes up when a field changes meaning or goes
 * away; new fields do not raise it. 2: resources carry `properties` with old and new values and
 * the `inputs` of new resources.
 */
export const JSON_SCHEMA_VERSION = 2;

/** A resource in a `--json` document: its changed properties with old and new values (redacted; secrets as "[secret]"). Pure. */
export function resourceJson(r: ResourceChange): Record<string, unknown> {
  // Segments are the driver's own bookkeeping for matching paths; the path says the same.
  const properties = r.properties.map(({ segments: _segments, ...p }) => p);
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    op: r.op,
    changedProperties: r.changedProperties,
    properties,
    ...(r.inputs !== undefined ? { inputs: r.inputs } : {}),
  };
}

/** The JSON document of preview, deploy and destroy runs. Pure. */
export function operationJson(command: string, results: readonly StackResult[], extra: Record<string, unknown> = {}): string {
  const stack = (r: StackResult): Record<string, unknown> => ({
    name: r.name,
    operation: r.operation,
    status: r.status,
    changes: r.changes,
    resources: r.resources.map(resourceJson),
    ...(r.outputChanges?.length ? { outputChanges: r.outputChanges } : {}),
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
  return `${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command, ...extra, stacks }, null, 2)}\n`;
}
