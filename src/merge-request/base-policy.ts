import type { AffectedResult, PreviousDefinition } from '../affected/model.js';
import type { Engine } from '../engine/engine.js';
import type { GitReader } from '../git/git.js';
import { mapLimit } from '../run/map-limit.js';
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
  field: 'approvals.required' | 'allowDestroy' | 'drift.policy' | 'drift.maxChanges' | 'drift.ignoreManagers' | 'drift.ignorePaths';
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
    // An entry added to an ignore list hides drift from the report and from remediation: it lowers protection.
    for (const field of ['ignoreManagers', 'ignorePaths'] as const) {
      const [from, to] = [before.drift[field] ?? [], after.drift[field] ?? []];
      const shown = (list: readonly string[]) => (list.length > 0 ? list.join(', ') : undefined);
      add(
        `drift.${field}`,
        shown(from),
        shown(to),
        to.some((entry) => !from.includes(entry)),
      );
    }
  }
  return out;
}

/** The entries both lists hold (an ignore rule counts only where both definitions have it); undefined when none. */
function common(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] | undefined {
  const both = (a ?? []).filter((entry) => (b ?? []).includes(entry));
  return both.length > 0 ? both : undefined;
}

/**
 * The stricter of two definitions of one stack, field by field: the most approvals (a stack
 * protected by either stays protected), `allowDestroy` only when both allow it, drift `detect`
 * when either says so, the lower `maxChanges` (none counts as unlimited), and only the
 * `ignoreManagers`/`ignorePaths` entries both hold. Everything else (identity, config, program)
 * comes from `a`. Pure.
 */
export function stricterDefinition(a: StackDefinition, b: StackDefinition): StackDefinition {
  const required = Math.max(requiredApprovals(a), requiredApprovals(b));
  const limits = [a.drift.maxChanges, b.drift.maxChanges].filter((n): n is number => n !== undefined);
  const { maxChanges: _dropped, ignoreManagers: _managers, ignorePaths: _paths, ...drift } = a.drift;
  const ignoreManagers = common(a.drift.ignoreManagers, b.drift.ignoreManagers);
  const ignorePaths = common(a.drift.ignorePaths, b.drift.ignorePaths);
  return {
    ...a,
    ...(required > 0 || a.approvals ? { approvals: { required } } : {}),
    allowDestroy: a.allowDestroy && b.allowDestroy,
    drift: {
      ...drift,
      policy: a.drift.policy === 'detect' || b.drift.policy === 'detect' ? 'detect' : 'remediate',
      ...(limits.length > 0 ? { maxChanges: Math.min(...limits) } : {}),
      ...(ignoreManagers ? { ignoreManagers } : {}),
      ...(ignorePaths ? { ignorePaths } : {}),
    },
  };
}

/** A stack's definition at the commit last deployed, where that commit differs from the base. */
export interface DeployedDefinition extends PreviousDefinition {
  /** The commit the stack's deploy record names. */
  commit: string;
}

/**
 * Reads a stack's definition at a commit, from the first of `files` that exists there (its file
 * at head, then its file at the base, for a stack renamed since). Fails closed: a definition that
 * cannot be found or parsed comes back with its problems, and the deploy of that stack is refused.
 */
export async function readDefinitionAt(
  git: GitReader,
  commit: string,
  name: string,
  files: readonly string[],
): Promise<DeployedDefinition> {
  for (const file of new Set(files)) {
    const text = await git.show(commit, file);
    if (text === undefined) continue;
    const parsed = parseStackFile(file, name, text);
    return { commit, file, text, definition: parsed.definition, problems: parsed.diagnostics.map(formatDiagnostic) };
  }
  return {
    commit,
    file: files[0] ?? name,
    problems: [`no stack file for it at that commit (looked for ${[...new Set(files)].join(', ')})`],
  };
}

/**
 * Where a stack's last deployed commit differs from the base, the stricter of the two definitions
 * governs its deploy (see {@link stricterDefinition}): a change merged but never deployed (a
 * refused or cancelled deploy) cannot lower the rules the running stack was deployed under, and
 * the base cannot lower them either. A deployed definition that cannot be read refuses the stack.
 * Pure.
 */
export function withDeployedDefinitions(
  base: BaseDefinitions,
  deployed: ReadonlyMap<string, DeployedDefinition>,
  catalog: StackCatalog,
): BaseDefinitions {
  const out = new Map(base);
  for (const [name, d] of deployed) {
    const governing = governingDefinition(name, catalog, base);
    if (governing.problem || !governing.definition) continue;
    const file = base.get(name)?.file ?? governing.definition.file;
    if (!d.definition) {
      const why = `its definition at its last deployed commit ${d.commit.slice(0, 12)} (${d.file}) cannot be read: ${d.problems.join('; ') || 'unknown problem'}`;
      out.set(name, { file, problems: [why] });
      continue;
    }
    out.set(name, { file, definition: stricterDefinition(governing.definition, d.definition), problems: [] });
  }
  return out;
}

/**
 * The definitions at their last deployed commit of the affected stacks deployed from a commit
 * other than the base (a cancelled, skipped or refused deploy in between), for
 * {@link withDeployedDefinitions}. A deployed commit missing from this clone comes back as a
 * problem, so that stack is refused rather than governed by the base alone.
 */
export async function readDeployedDefinitions(
  git: GitReader,
  engine: Engine,
  affected: AffectedResult,
  base: BaseDefinitions,
  catalog: StackCatalog,
  concurrency: number,
): Promise<Map<string, DeployedDefinition>> {
  const defs = affected.stacks.flatMap((s) => (s.action === 'update' ? (catalog.byName.get(s.name) ?? []) : []));
  const commits = await mapLimit(defs, concurrency, (d) => engine.lastDeployedCommit(d));
  const out = new Map<string, DeployedDefinition>();
  await mapLimit(defs, concurrency, async (def, i) => {
    const commit = commits[i];
    if (commit === undefined || affected.base?.startsWith(commit)) return;
    const files = [def.file, ...(base.get(def.name)?.file ? [base.get(def.name)!.file] : [])];
    const [resolved] = (await git.inspect([commit])).commits;
    if (resolved === undefined) {
      const hint = 'fetch more history: GIT_DEPTH: 0 in GitLab CI, fetch-depth: 0 in GitHub Actions';
      out.set(def.name, { commit, file: def.file, problems: [`that commit is not in this clone (${hint})`] });
    } else if (resolved !== affected.base) out.set(def.name, await readDefinitionAt(git, resolved, def.name, files));
  });
  return out;
}
