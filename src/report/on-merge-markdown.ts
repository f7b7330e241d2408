import type { DownstreamImpact, OnMergePlan, OnMergeStack } from '../api/merge-request.js';
import type { OutputChange, StackResult } from '../engine/result.js';
import { code, plainText } from './markdown.js';
import { countsText, resourceCounts } from './resource-counts.js';
import { type Redact, type ValueLimits, valueCell, wantsDiff } from './value-markdown.js';

function approvals(n: number): string {
  return `🔒 waits for ${n} approval${n === 1 ? '' : 's'}`;
}

/** What the preview says the deploy of one stack will do. */
function previewed(r: StackResult | undefined): string {
  if (!r) return 'not previewed';
  if (r.status === 'failed') return '❌ its preview failed (see its section)';
  if (r.status === 'cancelled') return '⛔ its preview was cancelled';
  if (r.status === 'skipped') return `not previewed (${plainText(r.skipReason ?? 'skipped')})`;
  return countsText(resourceCounts(r));
}

function stackLine(
  s: OnMergeStack,
  results: ReadonlyMap<string, StackResult>,
  held: Set<string>,
  upstreams: ReadonlyMap<string, string[]>,
): string {
  const waitsFor = s.after.filter((a) => held.has(a));
  const parts = [
    s.approvals > 0 ? approvals(s.approvals) : '',
    waitsFor.length > 0 ? `waits for ${waitsFor.map(code).join(', ')} (skipped while that is refused)` : '',
    previewed(results.get(s.name)),
    upstreams.has(s.name) ? `will see new outputs of ${upstreams.get(s.name)!.map(code).join(', ')}` : '',
  ];
  if (s.approvals > 0 || waitsFor.length > 0) held.add(s.name);
  return `${code(s.name)}: ${parts.filter(Boolean).join(' · ')}`;
}

/**
 * The "On merge" section: which stacks `gitops deploy` runs after the merge, step by step in
 * dependency order (a step's stacks run in parallel), which wait for approvals, and which are
 * destroyed or left alone. Pure.
 */
export function onMergeMarkdown(
  plan: OnMergePlan,
  results: readonly StackResult[],
  destroys: readonly { name: string; resources?: number }[],
  downstream: readonly DownstreamImpact[] = [],
): string {
  const byName = new Map(results.map((r) => [r.name, r]));
  const upstreams = new Map<string, string[]>();
  for (const d of downstream) for (const reader of d.readers) upstreams.set(reader.name, [...(upstreams.get(reader.name) ?? []), d.stack]);
  const held = new Set<string>();
  const items: string[] = plan.steps.map((step, i) => {
    const lines = step.map((s) => stackLine(s, byName, held, upstreams));
    if (lines.length === 1) return `${i + 1}. ${lines[0]}`;
    return `${i + 1}. In parallel${i > 0 ? `, after step ${i}` : ''}:\n${lines.map((l) => `   - ${l}`).join('\n')}`;
  });
  const destroyed = plan.destroys.filter((d) => d.allowed);
  if (destroyed.length > 0) {
    const lines = destroyed.map((d) => {
      const n = destroys.find((x) => x.name === d.name)?.resources;
      const what = n === undefined ? '' : ` with its ${n} resource${n === 1 ? '' : 's'}`;
      return `💥 **destroys** ${code(d.name)}${what}${d.approvals > 0 ? ` · ${approvals(d.approvals)}` : ''}`;
    });
    items.push(
      lines.length === 1 ? `${items.length + 1}. ${lines[0]}` : `${items.length + 1}. Then:\n${lines.map((l) => `   - ${l}`).join('\n')}`,
    );
  }
  const alone = plan.destroys.filter((d) => !d.allowed).map((d) => code(d.name));
  const parts = [`**On merge**, \`gitops deploy\` runs:`, items.length > 0 ? items.join('\n') : 'Nothing: no stack deploys.'];
  if (alone.length > 0)
    parts.push(`Left alone: ${alone.join(', ')} (stack file deleted, its last definition did not set \`allowDestroy\`).`);
  return parts.join('\n\n');
}

function outputText(o: OutputChange, redact: Redact, limits: ValueLimits): string {
  if (o.kind === 'unknown') return `${code(o.name)} (known after deploy)`;
  if (o.kind === 'add' && !wantsDiff(undefined, o.new, limits)) return `${code(o.name)} (new: ${valueCell(o.new, redact)})`;
  if (o.kind === 'delete') return `${code(o.name)} (removed)`;
  if (!o.secret && wantsDiff(o.old, o.new, limits)) return `${code(o.name)} (${o.kind === 'add' ? 'new' : 'changed'}, diff in its section)`;
  return `${code(o.name)} (${valueCell(o.old, redact)} → ${valueCell(o.new, redact)})`;
}

const via: Record<DownstreamImpact['readers'][number]['via'], string> = {
  'stack-reference': 'StackReference',
  'depends-on': '`dependsOn`',
};

/**
 * The "Downstream impact" section: previewed stacks whose outputs change, and the stacks that
 * read them. Those stacks were previewed with the outputs deployed today (Pulumi cannot preview
 * them with previewed outputs, see downstreamImpact), so they are marked as seeing the new
 * outputs only after the deploy. Pure.
 */
export function downstreamMarkdown(impacts: readonly DownstreamImpact[], redact: Redact, limits: ValueLimits): string {
  const lines = impacts.map((d) => {
    const outputs = d.outputs.map((o) => outputText(o, redact, limits)).join(', ');
    const readers = d.readers.map((r) => `${code(r.name)} (${via[r.via]})`).join(', ');
    const [they, previews] = d.readers.length === 1 ? ['it', 'its preview'] : ['they', 'their previews'];
    return `- ${code(d.stack)} changes ${outputs}.\n  Read by ${readers}: ${they} **will see the new outputs after deploy**; ${previews} here used the outputs deployed today.`;
  });
  return `**Downstream impact**\n\n${lines.join('\n')}`;
}
