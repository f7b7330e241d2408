import type { OutputChange, PropertyChange, ResourceChange } from '../engine/result.js';
import { code, codeBlock, details, table } from './markdown.js';
import { shortType } from './short-type.js';
import { type Redact, type ValueLimits, valueCell, valueDiff, wantsDiff } from './value-markdown.js';

/** Property rows shown per resource; a Kubernetes object can change hundreds of paths at once. */
const maxPropertyRows = 25;

const opLabel: Record<string, string> = {
  create: '➕ create',
  update: '✏️ update',
  replace: '♻️ **replace**',
  delete: '🗑️ **delete**',
  import: '📥 import',
};

function label(op: string): string {
  return opLabel[op] ?? op;
}

/** True when a property's change makes the provider replace the resource. */
export function forcesReplace(p: PropertyChange): boolean {
  return p.kind.endsWith('-replace');
}

function resourceCell(r: ResourceChange): string {
  return `${code(r.name)} ${shortType(r.type)}`;
}

/** The properties that force a replacement, as a reviewer reads them. */
function replaceCause(r: ResourceChange): string {
  const causes = r.properties.filter(forcesReplace).map((p) => code(p.path));
  return causes.length > 0 ? `${causes.join(', ')} changed, which the provider cannot update in place` : 'the provider asks for it';
}

/** The loud list at the top of a stack's section: each replace and delete, and why. */
export function loudList(resources: readonly ResourceChange[]): string {
  const lines = resources.map((r) =>
    r.op === 'replace'
      ? `- ♻️ **replace** ${resourceCell(r)}: ${replaceCause(r)}; it is deleted and created again`
      : `- 🗑️ **delete** ${resourceCell(r)}${r.protected ? ' (protected: the deploy will fail until it is unprotected)' : ''}`,
  );
  return `**⚠️ Replaces and deletes**\n\n${lines.join('\n')}`;
}

/** The inputs a created or replacing resource is given, folded away: a reviewer opens what they want to check. */
function inputsMarkdown(r: ResourceChange, redact: Redact): string {
  return details(
    `Inputs of ${code(r.name)} (${r.op === 'replace' ? 'the replacement' : 'new'})`,
    codeBlock(redact(r.inputs ?? ''), 'json'),
  );
}

/** Rows of one resource: its operation and name on the first row, one row per property. */
function resourceRows(r: ResourceChange, redact: Redact, limits: ValueLimits, diffs: string[]): string[][] {
  const first = [label(r.op), resourceCell(r)];
  const rest = ['', ''];
  if (r.inputs !== undefined) diffs.push(inputsMarkdown(r, redact));
  if (r.properties.length === 0) {
    const what =
      r.changedProperties.length > 0 ? r.changedProperties.map(code).join(', ') : r.inputs !== undefined ? '↓ inputs below' : '—';
    return [[...first, what, '', '']];
  }
  const shown = r.properties.slice(0, maxPropertyRows);
  const rows = shown.map((p, i) => {
    const path = `${code(p.path)}${forcesReplace(p) ? ' ♻️' : ''}`;
    if (!p.secret && wantsDiff(p.old, p.new, limits)) {
      diffs.push(valueDiff(`${code(r.name)} ${code(p.path)}:`, p.old, p.new, redact));
      return [...(i === 0 ? first : rest), path, '↓ diff below', ''];
    }
    return [...(i === 0 ? first : rest), path, valueCell(p.old, redact), valueCell(p.new, redact)];
  });
  const more = r.properties.length - shown.length;
  if (more > 0) rows.push([...rest, `… ${more} more properties`, '', '']);
  return rows;
}

/**
 * The changed resources of one previewed stack: a table with the old and new value of each
 * changed property (multi-line values as diffs under it) and short type names. Values are
 * redacted before they are cut.
 */
export function resourceChangesMarkdown(resources: readonly ResourceChange[], redact: Redact, limits: ValueLimits): string {
  const diffs: string[] = [];
  const rows = resources.flatMap((r) => resourceRows(r, redact, limits, diffs));
  return [table(['Op', 'Resource', 'Property', 'Old', 'New'], rows), ...diffs].join('\n\n');
}

/** The full type of each resource, folded away: the table shows short names. */
export function resourceTypesMarkdown(resources: readonly ResourceChange[]): string {
  return details(
    'Full resource types',
    table(
      ['Resource', 'Type'],
      resources.map((r) => [code(r.name), code(r.type)]),
    ),
  );
}

const outputKind: Record<OutputChange['kind'], string> = {
  add: 'new',
  update: 'changes',
  delete: 'removed',
  unknown: 'known after deploy',
};

/** A stack's changed outputs: what stacks reading them will see after the deploy. */
export function outputChangesMarkdown(changes: readonly OutputChange[], redact: Redact, limits: ValueLimits): string {
  const diffs: string[] = [];
  const rows = changes.map((o) => {
    if (!o.secret && wantsDiff(o.old, o.new, limits)) {
      diffs.push(valueDiff(`output ${code(o.name)}:`, o.old, o.new, redact));
      return [code(o.name), outputKind[o.kind], '↓ diff below', ''];
    }
    const next = o.kind === 'unknown' ? '*known after deploy*' : valueCell(o.new, redact);
    return [code(o.name), outputKind[o.kind], valueCell(o.old, redact), next];
  });
  return [table(['Output', 'Change', 'Old', 'New'], rows), ...diffs].join('\n\n');
}
