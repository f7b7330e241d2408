import type { DownstreamImpact, OnMergePlan, PolicyChange } from '../api/merge-request.js';
import type { StackResult } from '../engine/result.js';
import { cutText } from '../lib/cut-text.js';
import type { PackChange } from '../policy/pack-changes.js';
import { ciLinks, code, codeBlock, details, fitToLimit, plainText, table } from './markdown.js';
import { downstreamMarkdown, onMergeMarkdown } from './on-merge-markdown.js';
import { policyMarkdown } from './policy-markdown.js';
import { loudList, outputChangesMarkdown, resourceChangesMarkdown, resourceTypesMarkdown } from './resource-changes-markdown.js';
import { changedResources, countsText, loudResources, resourceCounts } from './resource-counts.js';
import { defaultValueLimits, type Redact, type ValueLimits } from './value-markdown.js';

/** A stack whose file was deleted: what deploy will do about it, and how many resources go. */
export interface DestroyTarget {
  name: string;
  /** Its last definition set `allowDestroy`: the deploy destroys it. Otherwise it is left alone. */
  allowed: boolean;
  /** Resources the destroy removes (the Stack resource not counted); undefined when its preview did not run. */
  resources?: number;
  /** Its stack file at the base. */
  file?: string;
}

export interface PreviewReportInput {
  results: readonly StackResult[];
  commit?: string;
  base?: string;
  pipelineUrl?: string;
  /** The CI job that made the report. */
  jobUrl?: string;
  /** Approvals each stack needs before deploy. */
  approvals: Readonly<Record<string, number>>;
  /** Why each stack is in the preview (affected reasons). */
  reasons?: Readonly<Record<string, readonly string[]>>;
  /** Mermaid graph of the affected stacks. */
  graphMermaid?: string;
  /** Stacks whose identity left the catalogue: what deploy will do about them, and how many resources go. */
  destroys?: readonly DestroyTarget[];
  /** Renamed or moved stack files that kept their Pulumi identity: new id -> the old stack file's path. */
  renames?: Readonly<Record<string, string>>;
  /** Policy fields this change edits (approvals, allowDestroy, drift). */
  policyChanges?: readonly PolicyChange[];
  /** Policy packs this change edits: they take effect only once merged. */
  packChanges?: readonly PackChange[];
  /** What the deploy after the merge runs, in order. */
  onMerge?: OnMergePlan;
  /** Previewed stacks whose outputs change, and the stacks that read them. */
  downstream?: readonly DownstreamImpact[];
  /** Removes known secrets from each value before it is cut (the whole comment is redacted again by the caller). */
  redact?: Redact;
  valueLimits?: ValueLimits;
  limit: number;
}

/** Characters of a failed stack's error shown in the comment; the job log has all of it. */
const maxErrorLength = 2_000;

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** The report's view of one stack: its result, and what kind of story it tells. */
interface StackView {
  r: StackResult;
  destroy?: DestroyTarget;
  /** Resources replaced or deleted, or a destroy that will run. */
  loud: boolean;
  changed: boolean;
}

function view(r: StackResult, input: PreviewReportInput): StackView {
  const destroy =
    r.operation === 'destroy-preview' ? (input.destroys?.find((d) => d.name === r.name) ?? { name: r.name, allowed: false }) : undefined;
  if (destroy) return { r, destroy, loud: destroy.allowed, changed: destroy.allowed };
  const ok = r.status === 'succeeded';
  return { r, loud: ok && loudResources(r).length > 0, changed: ok && changedResources(r).length > 0 };
}

/** Loudest first: destroys, failures, replaces and deletes, other changes, then the rest. */
function rank(v: StackView): number {
  if (v.destroy?.allowed) return 0;
  if (v.r.status === 'failed' || v.r.status === 'cancelled') return 1;
  if (v.loud) return 2;
  if (v.changed) return 3;
  return v.destroy ? 5 : 4;
}

function destroyText(d: DestroyTarget): string {
  if (!d.allowed) return 'left alone: its last definition did not set `allowDestroy`';
  return `💥 **destroyed on merge**${d.resources === undefined ? '' : `, with its ${plural(d.resources, 'resource')}`}`;
}

const statusText: Record<StackResult['status'], string> = {
  succeeded: '✅ ok',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  cancelled: '⛔ cancelled',
};

/** The summary row of one stack. Counts only for a preview that ran: a failed stack's counts would be invented. */
function summaryRow(v: StackView, input: PreviewReportInput): string[] {
  const { r, destroy } = v;
  const approval = input.approvals[r.name] ? `🔒 ${input.approvals[r.name]}` : 'no';
  if (destroy) {
    const deletes = destroy.allowed && destroy.resources !== undefined ? `**${destroy.resources}**` : '—';
    const name = destroy.allowed ? `💥 **${r.name}**` : r.name;
    return [name, '—', '—', '—', deletes, r.status === 'succeeded' ? destroyText(destroy) : statusText[r.status], approval];
  }
  const renamedFrom = input.renames?.[r.name];
  const name = renamedFrom ? `${r.name} (renamed from ${code(renamedFrom)}, no destroy)` : r.name;
  if (r.status !== 'succeeded') return [name, '—', '—', '—', '—', statusText[r.status], approval];
  const counts = resourceCounts(r);
  const n = (op: string) => String(counts[op] ?? 0);
  const loud = (op: string) => ((counts[op] ?? 0) > 0 ? `**${n(op)}**` : n(op));
  return [name, n('create'), n('update'), loud('replace'), loud('delete'), statusText[r.status], approval];
}

/** What one stack's section says in its folded line. */
function sectionTitle(v: StackView): string {
  const { r, destroy } = v;
  if (destroy)
    return `${destroy.allowed ? '💥 ' : ''}${r.name}: ${r.status === 'succeeded' ? (destroy.allowed ? 'destroyed on merge' : 'left alone') : r.status}`;
  if (r.status !== 'succeeded') return `${r.name}: ${statusText[r.status]}`;
  const counts = resourceCounts(r);
  return `${v.loud ? '⚠️ ' : ''}${r.name}: ${countsText(counts)}`;
}

function errorBlock(r: StackResult, redact: Redact): string {
  if (!r.error) return '';
  return `**Error** (${code(r.error.code)}):\n\n${codeBlock(cutText(redact(r.error.message), maxErrorLength))}`;
}

function destroyBody(v: StackView, destroy: DestroyTarget, input: PreviewReportInput): string[] {
  const { r } = v;
  const file = destroy.file ? ` ${code(destroy.file)}` : '';
  const what = destroy.resources === undefined ? 'its resources' : `its ${plural(destroy.resources, 'resource')}`;
  if (!destroy.allowed) {
    return [
      `Stack file${file} deleted. The deploy **leaves the stack and ${what} alone**: its last definition did not set \`allowDestroy\`.`,
    ];
  }
  const body = [`Stack file${file} deleted: the deploy **destroys** the stack and ${what}.`];
  const resources = changedResources(r);
  if (resources.length > 0) {
    body.push(resourceChangesMarkdown(resources, input.redact ?? ((t) => t), input.valueLimits ?? defaultValueLimits));
    body.push(resourceTypesMarkdown(resources));
  }
  return body;
}

function stackSection(v: StackView, input: PreviewReportInput): string {
  const { r, destroy } = v;
  const redact = input.redact ?? ((t: string) => t);
  const limits = input.valueLimits ?? defaultValueLimits;
  const body: string[] = [];
  const reasons = input.reasons?.[r.name];
  if (reasons && reasons.length > 0) body.push(`**Why:** ${plainText(reasons.join('; '))}`);
  if (input.renames?.[r.name])
    body.push(`Renamed from ${code(input.renames[r.name]!)}: the same Pulumi stack under a new file name, so nothing is destroyed.`);
  if (r.status === 'failed' || r.status === 'cancelled') body.push(errorBlock(r, redact) || `**${statusText[r.status]}**`);
  else if (r.status === 'skipped') body.push(`**Not previewed:** ${plainText(r.skipReason ?? 'skipped')}`);
  else if (destroy) body.push(...destroyBody(v, destroy, input));
  else {
    const loud = loudResources(r);
    if (loud.length > 0) body.push(loudList(loud));
    const changing = changedResources(r);
    body.push(changing.length > 0 ? resourceChangesMarkdown(changing, redact, limits) : 'No resource changes.');
    if (r.outputChanges?.length) body.push(`**Outputs**\n\n${outputChangesMarkdown(r.outputChanges, redact, limits)}`);
    if (changing.length > 0) body.push(resourceTypesMarkdown(changing));
  }
  // What needs a reviewer's eyes is unfolded; the rest stays folded.
  const open = v.changed || r.status === 'failed' || r.status === 'cancelled';
  return details(sectionTitle(v), body.filter(Boolean).join('\n\n'), { open });
}

/** The loud block at the top: every destroy, replace and delete, by stack. */
function loudBlock(views: readonly StackView[]): string {
  const lines = views.flatMap((v) => {
    if (v.destroy?.allowed) {
      const n = v.destroy.resources;
      return [`- 💥 **${v.r.name}**: destroyed on merge${n === undefined ? '' : `, with its ${plural(n, 'resource')}`}`];
    }
    if (!v.loud) return [];
    const loud = loudResources(v.r);
    const by = (op: string) => loud.filter((x) => x.op === op).map((x) => code(x.name));
    const parts = [
      by('replace').length ? `replaces ${by('replace').join(', ')}` : '',
      by('delete').length ? `deletes ${by('delete').join(', ')}` : '',
    ];
    return [`- **${v.r.name}**: ${parts.filter(Boolean).join('; ')}`];
  });
  return lines.length > 0 ? `**⚠️ Replaces and deletes**\n\n${lines.join('\n')}` : '';
}

function policyLine(c: PolicyChange): string {
  const why =
    c.field === 'env'
      ? " (this preview ran the program with the base's env: what the change adds reaches the program only after the merge)"
      : c.lowers
        ? ' (lowers protection: deploy still applies the rule at the base)'
        : '';
  return `- **${c.stack}**: ${code(c.field)} ${c.from} → ${c.to}${why}`;
}

/**
 * The merge request comment of `gitops preview --base`: replaces, deletes and destroys first,
 * a summary table, what happens on merge, downstream impact, then one section per stack with
 * the old and new value of each changed property. Pure; values are redacted (`input.redact`)
 * before they are cut, and the caller redacts the whole comment again before posting it.
 */
export function previewMarkdown(input: PreviewReportInput): string {
  const views = input.results.map((r) => view(r, input));
  const order = new Map(views.map((v, i) => [v, i]));
  views.sort((a, b) => rank(a) - rank(b) || order.get(a)! - order.get(b)!);
  const changed = views.filter((v) => v.changed).length;
  const heading = `### Pulumi preview: ${plural(views.length, 'stack')}, ${changed} with changes`;
  const meta = [
    input.commit ? `Commit ${code(input.commit.slice(0, 12))}` : '',
    input.base ? `base ${code(input.base.slice(0, 12))}` : '',
    ciLinks(input.pipelineUrl, input.jobUrl),
  ]
    .filter(Boolean)
    .join(' · ');
  const summary = table(
    ['Stack', 'Create', 'Update', 'Replace', 'Delete', 'Status', 'Needs approval'],
    views.map((v) => summaryRow(v, input)),
  );
  const policies = input.policyChanges?.length
    ? `**⚠️ This merge request changes a policy.** Deploy applies the rules of the base, so a weaker rule takes effect only after the merge:\n${input.policyChanges.map(policyLine).join('\n')}`
    : '';
  const blocked = input.results.filter((r) => r.error?.code === 'POLICY_VIOLATION').map((r) => r.name);
  const head = [
    heading,
    meta,
    blocked.length > 0
      ? `**❌ A mandatory policy fails for ${blocked.map(code).join(', ')}: this change cannot merge until it complies.**`
      : '',
    loudBlock(views),
    views.length > 0 ? summary : 'No stacks are affected by this change.',
    input.onMerge ? onMergeMarkdown(input.onMerge, input.results, input.destroys ?? [], input.downstream) : '',
    input.downstream?.length
      ? downstreamMarkdown(input.downstream, input.redact ?? ((t) => t), input.valueLimits ?? defaultValueLimits)
      : '',
    policies,
    policyMarkdown(input.results, input.redact ?? ((t) => t), input.packChanges),
  ]
    .filter(Boolean)
    .join('\n\n');
  const sections = views.map((v) => stackSection(v, input));
  const tail = input.graphMermaid ? details('Affected stacks graph', `\`\`\`mermaid\n${input.graphMermaid.trim()}\n\`\`\``) : '';
  return `${fitToLimit(head, sections, tail, input.limit)}\n`;
}
