import type { OutputChange, PropertyChange, ResourceChange, StackResult } from '../engine/result.js';
import { changedResources } from './resource-counts.js';
import { labelledDiff } from './value-diff.js';

const indent = (n: number) => (line: string) => `${' '.repeat(n)}${line}`;

function propertyLines(p: PropertyChange): string[] {
  const replace = p.kind.endsWith('-replace') ? ' (forces a replacement)' : '';
  if (p.secret) return [`    ${p.path}: a secret value changes (not shown)${replace}`];
  return [`    ${p.path}:${replace}`, ...labelledDiff(p.old, p.new, 'old', 'new').map(indent(6))];
}

function resourceLines(r: ResourceChange): string[] {
  const head = `  ${r.op} ${r.name} (${r.type})`;
  if (r.op === 'delete') return [head];
  const inputs =
    r.inputs === undefined ? [] : [`    inputs${r.op === 'replace' ? ' of the replacement' : ''}:`, ...r.inputs.split('\n').map(indent(6))];
  return [`${head}:`, ...r.properties.flatMap(propertyLines), ...inputs];
}

function outputLines(o: OutputChange): string[] {
  if (o.secret) return [`    ${o.name}: a secret output changes (not shown)`];
  return [
    `    ${o.name}:`,
    ...labelledDiff(o.old, o.kind === 'unknown' ? undefined : o.new, 'old', o.kind === 'unknown' ? 'known after deploy' : 'new').map(
      indent(6),
    ),
  ];
}

/**
 * `gitops preview --diff`: per stack, each changing resource with the old and new value of each
 * changed property as a unified diff (the same hunks as the merge request comment), the inputs
 * of new and replacing resources, and the outputs that change. Values arrive redacted. Pure.
 */
export function consoleDiff(results: readonly StackResult[]): string {
  const lines = results.flatMap((r) => {
    const resources = changedResources(r);
    if (r.status !== 'succeeded' || (resources.length === 0 && !r.outputChanges?.length)) return [];
    const outputs = r.outputChanges?.length ? ['  outputs:', ...r.outputChanges.flatMap(outputLines)] : [];
    return [`${r.name}:`, ...resources.flatMap(resourceLines), ...outputs];
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
