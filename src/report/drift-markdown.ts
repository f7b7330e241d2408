import type { DriftReport } from '../drift/detect.js';
import { noChangeOps, type ResourceChange } from '../engine/result.js';
import { elsewhereText, overridden } from './drift-report.js';
import { code, details, fitToLimit, plainText, table } from './markdown.js';
import { policyMarkdown } from './policy-markdown.js';
import { shortType } from './short-type.js';
import { defaultValueLimits, valueCell } from './value-markdown.js';

/** A Git or live value as the MR comment shows one: cut with a note of what was left out (values arrive redacted). */
const value = (v: string | undefined): string => (v === undefined ? code('∅') : valueCell(v, (t) => t, defaultValueLimits));

const actionText: Record<DriftReport['action'], string> = {
  none: '✅ no drift',
  reported: '⚠️ drift left in place (detect only)',
  remediated: '🔧 remediated',
  blocked: '✋ remediation blocked: needs a person',
  failed: '❌ failed',
};

function resourceRows(resources: readonly ResourceChange[], withManagers: boolean): string[][] {
  // Kubernetes drift names the field managers that own each field live (metadata.managedFields).
  const by = (managers?: string[]): string[] => (withManagers ? [managers?.length ? managers.map(code).join(', ') : '—'] : []);
  return resources.flatMap((r) =>
    r.op === 'delete'
      ? [[r.name, code(shortType(r.type)), '—', 'exists', 'deleted out of band', ...by()]]
      : r.properties.map((p) => [r.name, code(shortType(r.type)), code(p.path), value(p.old), value(p.new), ...by(p.managers)]),
  );
}

/** Fields that differ from Git but are managed elsewhere: not drift, left alone by remediation. */
function elsewhereTable(resources: readonly ResourceChange[]): string {
  const rows = resources.flatMap((r) => r.properties.map((p) => [r.name, code(p.path), value(p.old), value(p.new), elsewhereText(p)]));
  return `**Managed elsewhere** (not drift; remediation leaves these alone):\n\n${table(['Resource', 'Property', 'Git', 'Live', 'Managed'], rows)}`;
}

/** The body of one stack's drift: a table of Git's value → the live value per property. Pure. */
export function stackDriftMarkdown(r: DriftReport): string {
  const lines = [`**${actionText[r.action]}** · ${r.drifted.length} drifted, ${r.deleted.length} deleted, ${r.unchanged} unchanged`];
  const changed = [...r.drifted, ...r.deleted];
  const withManagers = changed.some((x) => x.properties.some((p) => p.managers?.length));
  const rows = resourceRows(changed, withManagers);
  if (rows.length > 0) lines.push(table(['Resource', 'Type', 'Property', 'Git', 'Live', ...(withManagers ? ['Changed by'] : [])], rows));
  if (r.managedElsewhere.length > 0) lines.push(elsewhereTable(r.managedElsewhere));
  if (r.blockedReason) lines.push(`**Blocked:** ${plainText(r.blockedReason)}`);
  if (r.action === 'remediated' && r.remediation) {
    const fixed = r.remediation.resources.filter((x) => !noChangeOps.has(x.op)).map((x) => `${x.op} ${x.name}`);
    lines.push(`**Corrected:** ${fixed.join(', ') || 'state refreshed'}`);
    const overrode = overridden(r);
    if (overrode.length > 0) lines.push(`**Overrode:** ${overrode.join('; ')}`);
  }
  if (r.error) lines.push(`**Error:** ${plainText(r.error.message)}`);
  // The live resources against the policy packs (messages were redacted as they were collected).
  if (r.policyChecks?.violations.length) {
    const checked = {
      name: r.name,
      operation: 'refresh-preview' as const,
      status: 'succeeded' as const,
      changes: {},
      resources: [],
      durationMs: 0,
    };
    lines.push(policyMarkdown([{ ...checked, policy: r.policyChecks }], (t) => t));
  }
  return lines.join('\n\n');
}

export interface DriftMarkdownInput {
  reports: readonly DriftReport[];
  commit?: string;
  time: Date;
  pipelineUrl?: string;
  limit: number;
}

/** The drift run as a Markdown report (`--markdown FILE`, a CI job summary). Pure. */
export function driftMarkdown(input: DriftMarkdownInput): string {
  const { reports } = input;
  const drifting = reports.filter((r) => r.action !== 'none');
  const meta = [
    `Run at ${input.time.toISOString()}`,
    input.commit ? `commit ${code(input.commit.slice(0, 12))}` : '',
    input.pipelineUrl ? `[pipeline](${input.pipelineUrl})` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const summary = table(
    ['Stack', 'Result', 'Drifted', 'Deleted', 'Unchanged'],
    reports.map((r) => [r.name, actionText[r.action], String(r.drifted.length), String(r.deleted.length), String(r.unchanged)]),
  );
  const head = [
    `### Drift report: ${drifting.length} of ${reports.length} stack${reports.length === 1 ? '' : 's'} with drift`,
    meta,
    summary,
  ].join('\n\n');
  // A stack whose only differences are managed elsewhere has no drift, but its section says what differs and who owns it.
  const shown = reports.filter((r) => r.action !== 'none' || r.managedElsewhere.length > 0);
  const sections = shown.map((r) => details(`<b>${r.name}</b>: ${actionText[r.action]}`, stackDriftMarkdown(r)));
  return `${fitToLimit(head, sections, '', input.limit)}\n`;
}
