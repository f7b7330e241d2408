import { changeCount, noChangeOps, type StackResult } from '../engine/result.js';
import type { PolicyChange } from '../merge-request/base-policy.js';
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
  /** Stacks whose identity left the catalogue: what deploy will do about them, and how many resources go. */
  destroys?: readonly { name: string; allowed: boolean; resources?: number }[];
  /** Renamed or moved stack files that kept their Pulumi identity: new id -> old id. */
  renames?: Readonly<Record<string, string>>;
  /** Policy fields this change edits (approvals, allowDestroy, drift). */
  policyChanges?: readonly PolicyChange[];
  limit: number;
}

const statusIcon: Record<StackResult['status'], string> = {
  succeeded: '✅ ok',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  cancelled: '⛔ cancelled',
};

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
    body.push(
      table(
        ['Op', 'Resource', 'Type', 'Changed properties'],
        changing.map((x) => [x.op, x.name, code(x.type), x.changedProperties.join(', ') || '—']),
      ),
    );
  } else if (r.status === 'succeeded') {
    body.push('No resource changes.');
  }
  return details(`<b>${r.name}</b>: ${r.status === 'succeeded' ? describeChanges(r.changes) : r.status}`, body.join('\n\n'));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The summary row of one stack. A destroy is the loudest row there is, with its resource count. */
function summaryRow(r: StackResult, input: PreviewReportInput): string[] {
  const approval = input.approvals[r.name] ? `🔒 ${input.approvals[r.name]}` : 'no';
  const destroy = r.operation === 'destroy-preview' ? input.destroys?.find((d) => d.name === r.name) : undefined;
  if (destroy && r.status === 'succeeded') {
    const n = r.changes.delete ?? 0;
    const status = destroy.allowed
      ? `💥 **DESTROY: ${plural(n, 'resource')}**`
      : `left alone: no \`allowDestroy\` (${plural(n, 'resource')})`;
    return [`💥 **${r.name}**`, count(r, 'create'), count(r, 'update'), count(r, 'replace'), `**${n}**`, status, approval];
  }
  const renamedFrom = input.renames?.[r.name];
  const name = renamedFrom ? `${r.name} (renamed from ${renamedFrom})` : r.name;
  return [name, count(r, 'create'), count(r, 'update'), count(r, 'replace'), count(r, 'delete'), statusIcon[r.status], approval];
}

function destroyLine(d: { name: string; allowed: boolean; resources?: number }): string {
  if (!d.allowed)
    return `- **${d.name}**: stack file deleted; deploy will leave it alone (its last definition did not set \`allowDestroy\`)`;
  const what = d.resources === undefined ? 'it' : `it and its **${plural(d.resources, 'resource')}**`;
  return `- 💥 **${d.name}**: stack file deleted; deploy will **destroy** ${what}`;
}

function policyLine(c: PolicyChange): string {
  return `- **${c.stack}**: ${code(c.field)} ${c.from} → ${c.to}${c.lowers ? ' (lowers protection: deploy still applies the rule at the base)' : ''}`;
}

/** The merge request comment of `gitops preview`. Pure; the caller redacts and posts it. */
export function previewMarkdown(input: PreviewReportInput): string {
  // Destroys first: they are what a reviewer must not miss.
  const results = [...input.results].sort((a, b) => Number(b.operation === 'destroy-preview') - Number(a.operation === 'destroy-preview'));
  const changed = results.filter((r) => changeCount(r.changes) > 0).length;
  const heading = `### Pulumi preview: ${results.length} stack${results.length === 1 ? '' : 's'}, ${changed} with changes`;
  const meta = [
    input.commit ? `Commit ${code(input.commit.slice(0, 12))}` : '',
    input.base ? `base ${code(input.base.slice(0, 12))}` : '',
    input.pipelineUrl ? `[pipeline](${input.pipelineUrl})` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const summary = table(
    ['Stack', 'Create', 'Update', 'Replace', 'Delete', 'Status', 'Needs approval'],
    results.map((r) => summaryRow(r, input)),
  );
  const destroys = (input.destroys ?? []).map(destroyLine).join('\n');
  const policies = input.policyChanges?.length
    ? `**⚠️ This merge request changes a policy.** Deploy applies the rules of the base, so a weaker rule takes effect only after the merge:\n${input.policyChanges.map(policyLine).join('\n')}`
    : '';
  const head = [heading, meta, results.length > 0 ? summary : 'No stacks are affected by this change.', destroys, policies]
    .filter(Boolean)
    .join('\n\n');
  const sections = results.map((r) => stackSection(r, input.reasons?.[r.name]));
  const tail = input.graphMermaid
    ? `<details><summary>Affected stacks graph</summary>\n\n\`\`\`mermaid\n${input.graphMermaid.trim()}\n\`\`\`\n\n</details>`
    : '';
  return `${fitToLimit(head, sections, tail, input.limit)}\n`;
}
