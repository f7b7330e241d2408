import type { DriftReport } from '../api/drift-report.js';
import { noChangeOps, type PropertyChange, type ResourceChange } from '../engine/result.js';
import { elsewhereText, overridden } from './drift-report.js';
import { ciLinks, code, codeBlock, details, fitToLimit, plainText, table } from './markdown.js';
import { policyMarkdown } from './policy-markdown.js';
import { shortType } from './short-type.js';
import { gitVersusLive } from './value-diff.js';

const actionText: Record<DriftReport['action'], string> = {
  none: '✅ no drift',
  reported: '⚠️ drift left in place (detect only)',
  remediated: '🔧 remediated',
  blocked: '✋ remediation blocked: needs a person',
  failed: '❌ failed',
};

/** One drifted property: its path (and who changed it, where the live object says), then Git's value against the live one. */
function propertyBlock(p: PropertyChange, note: string): string {
  const title = `${code(p.path)}${note}`;
  // Secrets arrive masked: drift in one is known, its values are not shown.
  if (p.secret) return `${title}: the secret value differs (not shown)`;
  return `${title}\n\n${codeBlock(gitVersusLive(p.old, p.new).join('\n'), 'diff')}`;
}

function resourceBlock(r: ResourceChange, note: (p: PropertyChange) => string): string {
  const head = `**${plainText(r.name)}** ${code(shortType(r.type))}`;
  if (r.op === 'delete') return `${head}: deleted out of band (Git declares it; it no longer exists)`;
  return [head, ...r.properties.map((p) => propertyBlock(p, note(p)))].join('\n\n');
}

// Kubernetes drift names the field managers that own each field live (metadata.managedFields).
const changedBy = (p: PropertyChange): string => (p.managers?.length ? `, changed by ${p.managers.map(code).join(', ')}` : '');

/** The body of one stack's drift: per drifted property, Git's value against the live value as a diff. Pure. */
export function stackDriftMarkdown(r: DriftReport): string {
  const lines = [`**${actionText[r.action]}** · ${r.drifted.length} drifted, ${r.deleted.length} deleted, ${r.unchanged} unchanged`];
  for (const res of [...r.drifted, ...r.deleted]) lines.push(resourceBlock(res, changedBy));
  if (r.managedElsewhere.length > 0) {
    lines.push('**Managed elsewhere** (not drift; remediation leaves these alone):');
    for (const res of r.managedElsewhere) lines.push(resourceBlock(res, (p) => `, managed ${plainText(elsewhereText(p))}`));
  }
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
  /** The CI job that ran the check. */
  jobUrl?: string;
  limit: number;
}

/** The drift run as a Markdown report (`--markdown FILE`, a CI job summary). Pure. */
export function driftMarkdown(input: DriftMarkdownInput): string {
  const { reports } = input;
  const drifting = reports.filter((r) => r.action !== 'none');
  const meta = [
    `Run at ${input.time.toISOString()}`,
    input.commit ? `commit ${code(input.commit.slice(0, 12))}` : '',
    ciLinks(input.pipelineUrl, input.jobUrl),
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
