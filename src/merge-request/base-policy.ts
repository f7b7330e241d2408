import type { AffectedResult, PreviousDefinition } from '../affected/model.js';
import type { GitReader } from '../git/git.js';
import { formatDiagnostic } from '../stacks/diagnostic.js';
import type { StackCatalog } from '../stacks/load.js';
import { parseStackFile } from '../stacks/parse.js';
import type { StackDefinition } from '../stacks/schema.js';
import { requiredApprovals } from './approvals-gate.js';

/**
 * The protected side of each affected stack: its definition at the base (the default branch
 * before the change). `null`: the stack is new in this change and has no protected side. A stack
 * missing from the map is identical at base and head.
 */
export type BaseDefinitions = ReadonlyMap<string, PreviousDefinition | null>;

/**
 * Reads the base definitions of the affected stacks. A rename or a deleted file already carries
 * its old definition. A stack file the change did not touch needs no read when the diff started
 * at the base itself (deploy after a merge): head then equals base, and one git process per stack
 * is the cost being saved.
 */
export async function readBaseDefinitions(git: GitReader, affected: AffectedResult, catalog: StackCatalog): Promise<BaseDefinitions> {
  const out = new Map<string, PreviousDefinition | null>();
  const touched = new Set(affected.changes.flatMap((c) => (c.oldPath === undefined ? [c.path] : [c.path, c.oldPath])));
  const exact = affected.base !== null && affected.base === affected.mergeBase;
  await Promise.all(
    affected.stacks.map(async (s) => {
      if (s.previous) {
        out.set(s.name, s.previous);
        return;
      }
      const head = catalog.byName.get(s.name);
      if (!head) return;
      if (affected.base === null) {
        // No base commit (`--files`): nothing protected to read, so fail closed.
        out.set(s.name, { file: head.file, problems: ['the base commit is unknown, so its definition cannot be read'] });
        return;
      }
      if (exact && !touched.has(head.file)) return;
      const text = await git.show(affected.base, head.file);
      if (text === undefined) {
        out.set(s.name, null);
        return;
      }
      const parsed = parseStackFile(head.file, s.name, text);
      out.set(s.name, { file: head.file, text, definition: parsed.definition, problems: parsed.diagnostics.map(formatDiagnostic) });
    }),
  );
  return out;
}

/**
 * The definition whose rules govern a stack's deploy: the base definition; the head definition
 * only for a stack that is identical at base or new in this change. Undefined with `problem`
 * when the base definition exists but cannot be read: the caller refuses (fail closed).
 */
export function governingDefinition(
  name: string,
  catalog: StackCatalog,
  base: BaseDefinitions,
): { definition?: StackDefinition; problem?: string } {
  const b = base.get(name);
  if (b === undefined || b === null) return { definition: catalog.byName.get(name) };
  if (b.definition) return { definition: b.definition };
  return { problem: `its definition at the base (${b.file}) cannot be read: ${b.problems.join('; ') || 'unknown problem'}` };
}

/** One policy field an MR changes. */
export interface PolicyChange {
  stack: string;
  field: 'approvals.required' | 'allowDestroy' | 'drift.policy' | 'drift.maxChanges';
  from: string;
  to: string;
  /** True when head's rule is weaker: deploy keeps applying the base's. */
  lowers: boolean;
}

/** The policy fields of the affected stacks that differ between base and head. Pure. */
export function policyChanges(affected: AffectedResult, catalog: StackCatalog, base: BaseDefinitions): PolicyChange[] {
  const out: PolicyChange[] = [];
  for (const s of affected.stacks) {
    const before = base.get(s.name)?.definition;
    const after = catalog.byName.get(s.name);
    if (!before || !after || s.action !== 'update') continue;
    const add = (field: PolicyChange['field'], from: unknown, to: unknown, lowers: boolean) => {
      if (from !== to) out.push({ stack: s.name, field, from: String(from ?? 'none'), to: String(to ?? 'none'), lowers });
    };
    add('approvals.required', requiredApprovals(before), requiredApprovals(after), requiredApprovals(after) < requiredApprovals(before));
    add('allowDestroy', before.allowDestroy, after.allowDestroy, after.allowDestroy && !before.allowDestroy);
    add('drift.policy', before.drift.policy, after.drift.policy, after.drift.policy === 'remediate');
    const [was, now] = [before.drift.maxChanges, after.drift.maxChanges];
    add('drift.maxChanges', was, now, was !== undefined && (now === undefined || now > was));
  }
  return out;
}
