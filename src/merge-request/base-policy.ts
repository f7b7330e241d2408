import { type AffectedResult, type PreviousDefinition, stackIdentity } from '../affected/model.js';
import type { PolicyChange } from '../api/merge-request.js';
import type { Engine } from '../engine/engine.js';
import type { GitReader } from '../git/git.js';
import { mapLimit } from '../lib/map-limit.js';
import type { StackCatalog } from '../stacks/load.js';
import type { StackDefinition } from '../stacks/schema.js';
import { requiredApprovals } from './approvals-gate.js';
import { backwardsRefusal, type StandingOf } from './deployed-standing.js';
import { definitionByIdentity, type IdentityIndex, identityIndexAt } from './identity-index.js';
import { stricterDefinition } from './stricter-definition.js';

export { stricterDefinition } from './stricter-definition.js';

/**
 * The protected side of each affected stack: its definition at the base (the default branch
 * before the change). `null`: the stack is new in this change and has no protected side. A stack
 * missing from the map is identical at base and head.
 */
export type BaseDefinitions = ReadonlyMap<string, PreviousDefinition | null>;

/**
 * Reads the base definitions of the affected stacks by Pulumi identity (see
 * {@link definitionByIdentity}): a file that claims another file's identity gets that identity's
 * rules, and a new identity gets those of the identities it replaces. A deleted stack already
 * carries its old definition. When the diff started at the base itself (deploy after a merge)
 * its changes say which stack files differ from the base; otherwise one more `git diff` does.
 */
export async function readBaseDefinitions(
  git: GitReader,
  affected: AffectedResult,
  catalog: StackCatalog,
  stacksDir: string,
): Promise<BaseDefinitions> {
  const out = new Map<string, PreviousDefinition | null>();
  for (const s of affected.stacks) if (s.action === 'destroy' && s.previous) out.set(s.name, s.previous);
  const updates = affected.stacks.filter((s) => s.action === 'update' && catalog.byName.has(s.name));
  if (updates.length === 0) return out;
  if (affected.base === null) {
    // No base commit (`--files`): nothing protected to read, so fail closed.
    for (const s of updates)
      out.set(s.name, {
        file: catalog.byName.get(s.name)!.file,
        problems: ['the base commit is unknown, so its definition cannot be read'],
      });
    return out;
  }
  const exact = affected.base === affected.mergeBase;
  const changes = exact ? affected.changes : await git.changedFiles(affected.base, affected.head ?? 'HEAD');
  const index = await identityIndexAt(git, affected.base, catalog, stacksDir, changes);
  for (const s of updates) {
    const found = definitionByIdentity(index, catalog.byName.get(s.name)!, s.renamedFrom?.file);
    if (found !== undefined) out.set(s.name, found);
  }
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

/** The policy fields of the affected stacks that differ between base and head. Pure. */
export function policyChanges(affected: AffectedResult, catalog: StackCatalog, base: BaseDefinitions): PolicyChange[] {
  const out: PolicyChange[] = [];
  for (const s of affected.stacks) {
    const after = catalog.byName.get(s.name);
    const envChange = after && s.action === 'update' ? envPolicyChange(after, base.get(s.name)) : undefined;
    if (envChange) out.push(envChange);
    const before = base.get(s.name)?.definition;
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
    // A label dropped takes the stack out of the policy packs it selects once merged: it lowers protection.
    const [labelsBefore, labelsAfter] = [before.labels ?? [], after.labels ?? []];
    const labels = (list: readonly string[]) => (list.length > 0 ? [...list].sort().join(', ') : undefined);
    add(
      'labels',
      labels(labelsBefore),
      labels(labelsAfter),
      labelsBefore.some((l) => !labelsAfter.includes(l)),
    );
  }
  return out;
}

/** `env` as reviewers read it: `NAME=SOURCE, ...`, sorted. */
function envText(env: Readonly<Record<string, string>> | undefined): string | undefined {
  const entries = Object.entries(env ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length > 0 ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : undefined;
}

/** The `env` a stack's program gets in a merge-request job, when it differs from the stack file's (see {@link protectedEnv}). */
function envPolicyChange(after: StackDefinition, before: PreviousDefinition | null | undefined): PolicyChange | undefined {
  if (before === undefined) return undefined;
  const [from, to] = [envText(before?.definition?.env), envText(after.env)];
  if (from === to) return undefined;
  const was = before?.definition?.env ?? {};
  const widens = Object.entries(after.env ?? {}).some(([k, v]) => was[k] !== v);
  return { stack: after.name, field: 'env', from: from ?? 'none', to: to ?? 'none', lowers: widens };
}

/**
 * The catalogue as a merge-request job runs it: each stack's program gets the environment its
 * base definition gives (the protected side), never one the change itself adds. A merge request
 * could otherwise name any of the job's variables in a stack file's `env` and have its own
 * program read it before anyone reviewed the change. A new stack, or one whose base cannot be
 * read, gets no `env` until it is merged; the preview comment lists what changes.
 */
export function protectedEnv(catalog: StackCatalog, base: BaseDefinitions): StackCatalog {
  const stacks = catalog.stacks.map((def) => {
    const b = base.get(def.name);
    if (b === undefined) return def;
    const env = b?.definition?.env;
    return envText(env) === envText(def.env) ? def : { ...def, env: env ?? {} };
  });
  return { stacks, byName: new Map(stacks.map((s) => [s.name, s])) };
}

/** A stack's definition at the commit last deployed, where that commit differs from the base. */
export interface DeployedDefinition extends PreviousDefinition {
  /** The commit the stack's deploy record names. */
  commit: string;
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

/** What {@link readDeployedDefinitions} reads with: the stacks folder, and where each recorded commit stands. */
export interface DeployedReadOptions {
  /** The stacks folder, relative to the repository root. */
  stacksDir: string;
  standing: StandingOf;
  concurrency: number;
}

/**
 * The definitions at their last deployed commit of the affected stacks deployed from a commit
 * other than the base (a cancelled, skipped or refused deploy in between), for
 * {@link withDeployedDefinitions}, looked up by identity like the base's. Forward only: a stack
 * whose deployed commit the head does not contain is refused (exit 2). A recorded commit that is
 * not on the default branch's history is not trusted: the base's rules alone govern that stack. A
 * deployed commit missing from this clone comes back as a problem, so that stack is refused
 * rather than governed by the base alone.
 */
export async function readDeployedDefinitions(
  git: GitReader,
  engine: Engine,
  affected: AffectedResult,
  catalog: StackCatalog,
  options: DeployedReadOptions,
): Promise<Map<string, DeployedDefinition>> {
  const defs = affected.stacks.flatMap((s) => (s.action === 'update' ? (catalog.byName.get(s.name) ?? []) : []));
  const recorded = await mapLimit(defs, options.concurrency, (d) => engine.lastDeployedCommit(d));
  const standings = await mapLimit(recorded, options.concurrency, (r) => options.standing(r));
  const head = affected.head ?? 'HEAD';
  const behind = defs.flatMap((d, i) => {
    const st = standings[i]!;
    return st.kind === 'behind' ? [{ name: d.name, commit: st.commit }] : [];
  });
  if (behind.length > 0) throw backwardsRefusal(affected.head ?? (await git.revParse(head)), behind);
  const indexes = new Map<string, Promise<IdentityIndex>>();
  const indexAt = (commit: string) => {
    let index = indexes.get(commit);
    if (!index) {
      index = git.changedFiles(commit, head).then((changes) => identityIndexAt(git, commit, catalog, options.stacksDir, changes));
      indexes.set(commit, index);
    }
    return index;
  };
  const out = new Map<string, DeployedDefinition>();
  await mapLimit(defs, options.concurrency, async (def, i) => {
    const st = standings[i]!;
    if (st.kind === 'missing') {
      const hint = 'fetch more history: GIT_DEPTH: 0 in GitLab CI, fetch-depth: 0 in GitHub Actions';
      out.set(def.name, { commit: st.recorded, file: def.file, problems: [`that commit is not in this clone (${hint})`] });
    } else if (st.kind === 'forward' && st.commit !== affected.base) {
      const found = definitionByIdentity(await indexAt(st.commit), def);
      if (found === undefined) out.set(def.name, { commit: st.commit, file: def.file, definition: def, problems: [] });
      else if (found === null)
        out.set(def.name, { commit: st.commit, file: def.file, problems: [`no stack file held ${stackIdentity(def)} at that commit`] });
      else out.set(def.name, { commit: st.commit, ...found });
    }
  });
  return out;
}
