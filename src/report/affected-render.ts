import type { HistoryEvent } from '../affected/history.js';
import { type AffectedReason, type AffectedResult, type AffectedStack, stackIdentity } from '../affected/model.js';

/** The `--json` document of `gitops affected`. */
export interface AffectedJson {
  base: string | null;
  head: string | null;
  mergeBase: string | null;
  stacks: {
    name: string;
    action: 'update' | 'destroy';
    /** For `destroy`: the deleted file's `allowDestroy`, when its last definition parsed. */
    allowDestroy?: boolean;
    /** For a renamed or moved stack file that kept its Pulumi identity: the old stack id. */
    renamedFrom?: string;
    reasons: {
      kind: AffectedReason['kind'];
      path?: string;
      stack?: string;
      pattern?: string;
      package?: string;
      from?: string;
      to?: string;
      detail?: string;
    }[];
  }[];
  warnings?: string[];
}

/** The JSON object of a result. Pure; the import chains stay out of it (see {@link renderExplain}). */
export function affectedJson(result: AffectedResult): AffectedJson {
  return {
    base: result.base,
    head: result.head,
    mergeBase: result.mergeBase,
    stacks: result.stacks.map((s) => ({
      name: s.name,
      action: s.action,
      ...(s.action === 'destroy' && s.previous?.definition ? { allowDestroy: s.previous.definition.allowDestroy } : {}),
      ...(s.renamedFrom ? { renamedFrom: s.renamedFrom.name } : {}),
      reasons: s.reasons.map((r) => ({
        kind: r.kind,
        ...(r.path !== undefined ? { path: r.path } : {}),
        ...(r.stack !== undefined ? { stack: r.stack } : {}),
        ...(r.pattern !== undefined ? { pattern: r.pattern } : {}),
        ...(r.package !== undefined ? { package: r.package, from: r.from ?? '', to: r.to ?? '' } : {}),
        ...(r.detail !== undefined ? { detail: r.detail } : {}),
      })),
    })),
    ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
  };
}

/** One line for a shallow-clone event, for the console. */
export function describeHistoryEvent(e: HistoryEvent): string {
  return e.type === 'deepen'
    ? `shallow clone: fetching ${e.by} more commits`
    : e.type === 'unshallow'
      ? 'shallow clone: fetching the whole history'
      : e.message;
}

/** One human line per reason; each names the changed file, so `--explain` says what to look at. */
export function describeReason(reason: AffectedReason): string {
  switch (reason.kind) {
    case 'renamed':
      return `renamed from ${reason.path}: the same Pulumi stack under a new file name`;
    case 'stack-file':
      return `stack file ${reason.path} changed`;
    case 'program':
      return `program file ${reason.path} changed`;
    case 'import':
      return `imports ${reason.path}, which changed${reason.via && reason.via.length > 1 ? ` (${reason.via.join(' -> ')})` : ''}`;
    case 'read':
      return `reads ${reason.path}, which changed${reason.via && reason.via.length > 0 ? ` (read by ${reason.via.join(' -> ')})` : ''}`;
    case 'watch':
      return `watches ${reason.pattern}, and ${reason.path} changed`;
    case 'root-file':
      return `root file ${reason.path} changed, which every stack depends on`;
    case 'package':
      return `${packageChange(reason)} in ${reason.path}${reason.via && reason.via.length > 1 ? ` (reached through ${reason.via.join(' -> ')})` : ', which the program imports'}`;
    case 'lockfile':
      return `${reason.path} changed and ${reason.detail ?? 'cannot be narrowed to packages'}, so it counts for every stack it can concern`;
    case 'dependency':
      return `depends on ${reason.stack}, which is affected`;
    case 'deleted':
      return `stack file ${reason.path} was deleted`;
    case 'history-missing':
      return 'the merge-base could not be found, so every stack is treated as affected';
    case 'undeployed':
      return reason.commit
        ? `its recorded deployed commit ${reason.commit.slice(0, 12)} is not on the default branch's history, so it is treated as unknown: the head is deployed in full, under the rules of the base`
        : 'never deployed by gitops deploy, so it is deployed as new';
  }
}

/** `package a 1.0.0 -> 1.1.0`, `package a added (1.0.0)`, `package a removed (was 1.0.0)`. */
function packageChange(reason: AffectedReason): string {
  const from = reason.from ?? '';
  const to = reason.to ?? '';
  if (from === '') return `package ${reason.package} added (${to})`;
  if (to === '') return `package ${reason.package} removed (was ${from})`;
  return from === to ? `package ${reason.package} ${to} changed its integrity` : `package ${reason.package} ${from} -> ${to}`;
}

function destroyNote(stack: AffectedStack): string {
  const def = stack.previous?.definition;
  if (def) return def.allowDestroy ? ' (allowDestroy: true)' : ' (allowDestroy: false: deploy will refuse)';
  return stack.previous ? ' (last definition unreadable)' : '';
}

function renameNote(stack: AffectedStack): string {
  const def = stack.previous?.definition;
  return stack.renamedFrom ? ` (renamed from ${stack.renamedFrom.name}${def ? `, same Pulumi stack ${stackIdentity(def)}` : ''})` : '';
}

function header(result: AffectedResult): string {
  const n = result.stacks.length;
  const count = `${n} stack${n === 1 ? '' : 's'} affected`;
  if (result.base === null && result.head === null)
    return `${count} by ${result.changes.length} listed file${result.changes.length === 1 ? '' : 's'}`;
  const short = (sha: string | null) => (sha ?? '?').slice(0, 12);
  const from = result.mergeBase ? `merge-base ${short(result.mergeBase)}` : `base ${short(result.base)}, no merge-base`;
  return `${count}: ${result.changes.length} changed file${result.changes.length === 1 ? '' : 's'} from ${from} to ${short(result.head)}`;
}

/** `--explain`: every affected stack with its action and every reason. Pure. */
export function renderExplain(result: AffectedResult): string {
  const lines = [header(result)];
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  for (const s of result.stacks) {
    lines.push(`${s.name}: ${s.action}${s.action === 'destroy' ? destroyNote(s) : renameNote(s)}`);
    for (const r of s.reasons) lines.push(`  - ${describeReason(r)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The default text output: one `name<TAB>action` line per affected stack, and `<TAB>renamed from OLD` for renames. Pure. */
export function renderAffectedList(result: AffectedResult): string {
  return result.stacks.map((s) => `${s.name}\t${s.action}${s.renamedFrom ? `\trenamed from ${s.renamedFrom.name}` : ''}\n`).join('');
}

/** The one line that says which stacks a change affects. Pure. */
export function affectedLine(affected: AffectedResult): string {
  const names = affected.stacks.map((s) => `${s.name}${s.action === 'destroy' ? ' (deleted)' : ''}`);
  return `${names.length} stack${names.length === 1 ? '' : 's'} affected: ${names.join(', ') || 'none'}\n`;
}
