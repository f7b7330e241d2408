import type { DriftReport } from '../api/drift-report.js';
import type { PropertyChange, ResourceChange } from '../engine/result.js';
import { describeChanges } from './console-progress.js';
import { JSON_SCHEMA_VERSION, resourceJson } from './json-report.js';
import { gitVersusLive } from './value-diff.js';

const actionText: Record<DriftReport['action'], string> = {
  none: 'no drift',
  reported: 'DRIFT, left in place (policy: detect)',
  remediated: 'drift REMEDIATED',
  blocked: 'DRIFT, remediation BLOCKED',
  failed: 'FAILED',
};

/** `changed by hpa-controller` when the live object names the field's managers (Kubernetes). */
function byManagers(p: PropertyChange): string {
  return p.managers && p.managers.length > 0 ? `changed by ${p.managers.join(', ')}` : '';
}

/** A property's path and note, then Git's value against the live one with real line breaks, indented under it. */
function propertyLines(p: PropertyChange, note: string): string[] {
  if (p.secret) return [`        ${p.path}: the secret value differs (not shown)${note ? `, ${note}` : ''}`];
  return [`        ${p.path}:${note ? ` ${note}` : ''}`, ...gitVersusLive(p.old, p.new).map((l) => `          ${l}`)];
}

function resourceLines(r: ResourceChange): string[] {
  if (r.op === 'delete') return [`    - ${r.name} (${r.type}): deleted out of band`];
  return [`    ~ ${r.name} (${r.type}):`, ...r.properties.flatMap((p) => propertyLines(p, byManagers(p)))];
}

function elsewhereLines(r: ResourceChange): string[] {
  return [
    `    = ${r.name} (${r.type}), managed elsewhere:`,
    ...r.properties.flatMap((p) => propertyLines(p, `managed elsewhere (${elsewhereText(p)})`)),
  ];
}

/** `by hpa-controller` for an ignored manager, else the ignorePaths entry that matched. */
export function elsewhereText(p: PropertyChange): string {
  const why = p.managedElsewhere ?? '';
  if (why.startsWith('manager ')) return `by ${why.slice('manager '.length)}`;
  const by = p.managers && p.managers.length > 0 ? `by ${p.managers.join(', ')}; ` : '';
  return `${by}drift.ignorePaths ${why.replace(/^path /, '')}`;
}

/** Who remediation took fields back from: `hpa-controller on deployment spec.replicas`, one per field with known managers. */
export function overridden(r: DriftReport): string[] {
  if (r.action !== 'remediated') return [];
  return r.drifted.flatMap((res) =>
    res.properties.filter((p) => p.managers?.length).map((p) => `${p.managers!.join(', ')} on ${res.name} ${p.path}`),
  );
}

/** The console summary of a drift run. Pure. */
export function driftSummary(reports: readonly DriftReport[]): string {
  const lines = ['drift summary:'];
  for (const r of reports) {
    const counts = r.status === 'succeeded' ? `: ${r.drifted.length} drifted, ${r.deleted.length} deleted, ${r.unchanged} unchanged` : '';
    const elsewhere = r.managedElsewhere.reduce((n, x) => n + x.properties.length, 0);
    lines.push(`  ${r.name}: ${actionText[r.action]}${counts}${elsewhere > 0 ? `, ${elsewhere} managed elsewhere` : ''}`);
    for (const res of [...r.drifted, ...r.deleted]) lines.push(...resourceLines(res));
    for (const res of r.managedElsewhere) lines.push(...elsewhereLines(res));
    if (r.blockedReason) lines.push(`    blocked: ${r.blockedReason}`);
    if (r.remediation && r.action === 'remediated') lines.push(`    corrected: ${describeChanges(r.remediation.changes)}`);
    for (const o of overridden(r)) lines.push(`    overrode ${o}`);
    if (r.error) lines.push(`    error: ${r.error.message}`);
  }
  return `${lines.join('\n')}\n`;
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
    managedElsewhere: r.managedElsewhere.map(resourceJson),
    unchanged: r.unchanged,
    ...(r.blockedReason ? { blockedReason: r.blockedReason } : {}),
    ...(r.remediation
      ? {
          remediation: {
            status: r.remediation.status,
            changes: r.remediation.changes,
            resources: r.remediation.resources.filter((x) => x.op !== 'same').map(resourceJson),
            overrode: r.action === 'remediated' ? overriddenJson(r) : [],
          },
        }
      : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.policyChecks ? { policyChecks: r.policyChecks } : {}),
    durationMs: r.durationMs,
  }));
  return `${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: 'drift', stacks }, null, 2)}\n`;
}

/** The fields remediation took back from other field managers, for `--json`. */
function overriddenJson(r: DriftReport): { resource: string; path: string; managers: string[] }[] {
  return r.drifted.flatMap((res) =>
    res.properties.filter((p) => p.managers?.length).map((p) => ({ resource: res.name, path: p.path, managers: p.managers! })),
  );
}
