import type { DriftReport } from '../drift/detect.js';
import type { ResourceChange } from '../engine/result.js';
import { describeChanges } from './console-progress.js';

const actionText: Record<DriftReport['action'], string> = {
  none: 'no drift',
  reported: 'DRIFT, left in place (policy: detect)',
  remediated: 'drift REMEDIATED',
  blocked: 'DRIFT, remediation BLOCKED',
  failed: 'FAILED',
};

function resourceLines(r: ResourceChange): string[] {
  if (r.op === 'delete') return [`    - ${r.name} (${r.type}): deleted out of band`];
  return [
    `    ~ ${r.name} (${r.type}):`,
    ...r.properties.map((p) => `        ${p.path}: ${JSON.stringify(p.old ?? null)} (Git) -> ${JSON.stringify(p.new ?? null)} (live)`),
  ];
}

/** The console summary of a drift run. Pure. */
export function driftSummary(reports: readonly DriftReport[]): string {
  const lines = ['drift summary:'];
  for (const r of reports) {
    const counts = r.status === 'succeeded' ? `: ${r.drifted.length} drifted, ${r.deleted.length} deleted, ${r.unchanged} unchanged` : '';
    lines.push(`  ${r.name}: ${actionText[r.action]}${counts}`);
    for (const res of [...r.drifted, ...r.deleted]) lines.push(...resourceLines(res));
    if (r.blockedReason) lines.push(`    blocked: ${r.blockedReason}`);
    if (r.remediation && r.action === 'remediated') lines.push(`    corrected: ${describeChanges(r.remediation.changes)}`);
    if (r.error) lines.push(`    error: ${r.error.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function resourceJson(r: ResourceChange): Record<string, unknown> {
  return { urn: r.urn, type: r.type, name: r.name, op: r.op, changedProperties: r.changedProperties, properties: r.properties };
}

/** The JSON document of a drift run. Pure. */
export function driftJson(reports: readonly DriftReport[]): string {
  const stacks = reports.map((r) => ({
    name: r.name,
    status: r.status,
    policy: r.policy,
    action: r.action,
    changes: { update: r.drifted.length, delete: r.deleted.length, same: r.unchanged },
    resources: [...r.drifted, ...r.deleted].map(resourceJson),
    unchanged: r.unchanged,
    ...(r.blockedReason ? { blockedReason: r.blockedReason } : {}),
    ...(r.remediation
      ? {
          remediation: {
            status: r.remediation.status,
            changes: r.remediation.changes,
            resources: r.remediation.resources.filter((x) => x.op !== 'same').map(resourceJson),
          },
        }
      : {}),
    ...(r.error ? { error: r.error } : {}),
    durationMs: r.durationMs,
  }));
  return `${JSON.stringify({ command: 'drift', stacks }, null, 2)}\n`;
}
