import { changeCount, noChangeOps, type StackResult } from '../engine/result.js';
import { describeChanges } from './console-progress.js';
import { code, details, fitToLimit, table } from './markdown.js';

export interface PreviewReportInput {
  results: readonly StackResult[];
  commit?: string;
  base?: string;
  pipelineUrl?: string;
  /** Approvals each stack needs before deploy. */
  approvals: Readonly<Record<string, number>>;
  /** Why each stack is in the preview (affected reasons). */
  reasons?: Readonly<Record<string, readonly string[]>>;
  /** Mermaid graph of the affected stacks. */
  graphMermaid?: string;
  /** Stacks whose files were deleted: what deploy will do about them. */
  destroys?: readonly { name: string; allowed: boolean }[];
  limit: number;
}

const statusIcon: Record<StackResult['status'], string> = { succeeded: '✅ ok', failed: '❌ failed', skipped: '⏭️ skipped', cancelled: '⛔ cancelled' };

function count(r: StackResult, op: string): string {
  return String(r.changes[op] ?? 0);
}

function stackSection(r: StackResult, reasons: readonly string[] | undefined): string {
  const body: string[] = [];
  if (reasons && reasons.length > 0) body.push(`**Why:** ${reasons.join('; ')}`);
  if (r.error) body.push(`**Error:** ${r.error.message}`);
  if (r.skipReason) body.push(`**Skipped:** ${r.skipReason}`);
  const changing = r.resources.filter((x) => !noChangeOps.has(x.op));
  if (changing.length > 0) {
    body.push(table(['Op', 'Resource', 'Type', 'Changed properties'], changing.map((x) => [x.op, x.name, code(x.type), x.changedProperties.join(', ') || '—'])));
  } else if (r.status === 'succeeded') {
    body.push('No resource changes.');
  }
  return details(`<b>${r.name}</b>: ${r.status === 'succeeded' ? describeChanges(r.changes) : r.status}`, body.join('\n\n'));
}

/** The merge request comment of `gitops preview`. Pure; the caller redacts and posts it. */
export function previewMarkdown(input: PreviewReportInput): string {
  const { results } = input;
  const changed = results.filter((r) => changeCount(r.changes) > 0).length;
  const heading = `### Pulumi preview: ${results.length} stack${results.length === 1 ? '' : 's'}, ${changed} with changes`;
  const meta = [input.commit ? `Commit ${code(input.commit.slice(0, 12))}` : '', input.base ? `base ${code(input.base.slice(0, 12))}` : '', input.pipelineUrl ? `[pipeline](${input.pipelineUrl})` : '']
    .filter(Boolean)
    .join(' · ');
  const summary = table(
    ['Stack', 'Create', 'Update', 'Replace', 'Delete', 'Status', 'Needs approval'],
    results.map((r) => [r.name, count(r, 'create'), count(r, 'update'), count(r, 'replace'), count(r, 'delete'), statusIcon[r.status], input.approvals[r.name] ? `🔒 ${input.approvals[r.name]}` : 'no']),
  );
  const destroys = (input.destroys ?? []).map((d) => `- **${d.name}**: stack file deleted; deploy will ${d.allowed ? '**destroy** it' : 'leave it alone (its last definition did not set `allowDestroy`)'}`);
  const head = [heading, meta, results.length > 0 ? summary : 'No stacks are affected by this change.', destroys.join('\n')].filter(Boolean).join('\n\n');
  const sections = results.map((r) => stackSection(r, input.reasons?.[r.name]));
  const tail = input.graphMermaid ? `<details><summary>Affected stacks graph</summary>\n\n\`\`\`mermaid\n${input.graphMermaid.trim()}\n\`\`\`\n\n</details>` : '';
  return `${fitToLimit(head, sections, tail, input.limit)}\n`;
}
