import type { DriftReport } from '../drift/detect.js';
import { noChangeOps, type ResourceChange } from '../engine/result.js';
import { code, details, fitToLimit, table } from './markdown.js';

const actionText: Record<DriftReport['action'], string> = {
  none: '✅ no drift',
  reported: '⚠️ drift left in place (detect only)',
  remediated: '🔧 remediated',
  blocked: '✋ remediation blocked: needs a person',
  failed: '❌ failed',
};

function resourceRows(resources: readonly ResourceChange[]): string[][] {
  return resources.flatMap((r) =>
    r.op === 'delete'
      ? [[r.name, code(r.type), '—', 'exists', 'deleted out of band']]
      : r.properties.map((p) => [r.name, code(r.type), code(p.path), code(p.old ?? '∅'), code(p.new ?? '∅')]),
  );
}

/** The body of one stack's drift: a table of Git's value → the live value per property. Pure. */
export function stackDriftMarkdown(r: DriftReport): string {
  const lines = [`**${actionText[r.action]}** · ${r.drifted.length} drifted, ${r.deleted.length} deleted, ${r.unchanged} unchanged`];
  const rows = resourceRows([...r.drifted, ...r.deleted]);
  if (rows.length > 0) lines.push(table(['Resource', 'Type', 'Property', 'Git', 'Live'], rows));
  if (r.blockedReason) lines.push(`**Blocked:** ${r.blockedReason}`);
  if (r.action === 'remediated' && r.remediation) {
    const fixed = r.remediation.resources.filter((x) => !noChangeOps.has(x.op)).map((x) => `${x.op} ${x.name}`);
    lines.push(`**Corrected:** ${fixed.join(', ') || 'state refreshed'}`);
  }
  if (r.error) lines.push(`**Error:** ${r.error.message}`);
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
  const sections = drifting.map((r) => details(`<b>${r.name}</b>: ${actionText[r.action]}`, stackDriftMarkdown(r)));
  return `${fitToLimit(head, sections, '', input.limit)}\n`;
}
