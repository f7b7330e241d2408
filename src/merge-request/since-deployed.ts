import { relativeDir } from '../affected/affected-from-changes.js';
import type { AffectedResult, AffectedStack, PreviousDefinition } from '../affected/model.js';
import { type ActionContext, runContextOf, say } from '../api/action-context.js';
import type { Engine } from '../engine/engine.js';
import { asGitopsError, GitopsError } from '../errors/gitops-error.js';
import { mapLimit } from '../lib/map-limit.js';
import type { StackDefinition } from '../stacks/schema.js';
import { planBoundEngine } from '../update-plans/plan-engines.js';
import type { BaseDefinitions } from './base-policy.js';
import { readBaseDefinitions } from './base-policy.js';
import { affectedStacks, type ChangeScope } from './change-scope.js';
import { deletedStacksStillDeployed } from './deleted-stacks.js';
import { type DeployMergedResult, deployMerged, type Landing } from './deploy-merged.js';
import { optionalForge, reportDeployed } from './deploy-on-merge.js';
import { backwardsRefusal, deployedStanding } from './deployed-standing.js';
import { type LandingCache, landingsOf } from './landings.js';

/** What changed for each stack since the commit it last deployed, and the rules and merges that govern it. */
export interface SinceDeployedScope extends ChangeScope {
  /** Per head stack: its last deployed commit (a full sha), or undefined when never deployed. */
  deployed: ReadonlyMap<string, string | undefined>;
  /** The protected side of each affected stack: its definition at its own deployed commit. */
  base: BaseDefinitions;
  /**
   * The merges each stack's change is made of: per first-parent commit, the stacks it changed
   * whose deployed commit it came after. Undefined when there are none (nothing deployed yet):
   * the head commit then answers for every stack.
   */
  landings?: Landing[];
}

/**
 * Per stack, the commit its deploy record names; commits from update messages are 12-character
 * prefixes. One read of the backend for all stacks (see `Engine.deployRecords`); a record that
 * cannot be read fails the whole read, naming every such stack: never taken for "not deployed".
 */
export async function deployedCommits(engine: Engine, stacks: readonly StackDefinition[]): Promise<Map<string, string | undefined>> {
  // The commit, and the state read for damage (never taken for "up to date"); not the newest update.
  const records = await engine.deployRecords(stacks, { latestUpdate: false });
  const failed = [...records.values()].flatMap((r) => (r.ok ? [] : [r.error]));
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) {
    throw new GitopsError({
      code: failed[0]!.code,
      kind: failed[0]!.kind,
      message: `the deploy records of ${failed.length} stacks cannot be read`,
      details: failed.map((e) => e.message),
      hint: failed[0]!.hint,
    });
  }
  return new Map(stacks.map((s) => [s.name, (records.get(s.name) as { deployedCommit?: string } | undefined)?.deployedCommit]));
}

/** The stacks deployed from each commit (never-deployed stacks left out): one affected computation per commit. */
export function stacksByDeployedCommit(deployed: ReadonlyMap<string, string | undefined>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [name, commit] of deployed) if (commit !== undefined) groups.set(commit, [...(groups.get(commit) ?? []), name]);
  return groups;
}

/** A deployed commit this clone does not hold: fail closed, naming the stacks and how to fix it. */
function missingCommit(commit: string, names: readonly string[], err: unknown): GitopsError {
  return new GitopsError({
    code: 'HISTORY_MISSING',
    kind: 'user',
    message: `cannot tell what changed since the last deploy of ${names.join(', ')}: their last deployed commit ${commit} is not in this clone`,
    details: [asGitopsError(err).message],
    hint:
      'fetch the default branch with more history (GIT_DEPTH: 0 in GitLab CI, fetch-depth: 0 in GitHub Actions); ' +
      'if that commit was rewritten away, redeploy the stacks with gitops deploy --stack NAME',
    cause: err,
  });
}

/**
 * Each head stack's deployed commit, trusted and forward only: a commit the default branch's
 * history does not hold is treated as unknown (listed in `untrusted`, with a warning), and a
 * commit head does not contain refuses the deploy (exit 2, naming both commits).
 */
async function trustedDeployedCommits(
  ctx: ActionContext,
  engine: Engine,
  head: string,
): Promise<{ deployed: Map<string, string | undefined>; untrusted: Map<string, string> }> {
  const recorded = await deployedCommits(engine, ctx.catalog.stacks);
  const standingOf = deployedStanding(ctx.git, ctx.ci.defaultBranch, head);
  const standings = await mapLimit([...recorded], ctx.concurrency, ([, commit]) => standingOf(commit));
  const deployed = new Map<string, string | undefined>();
  const untrusted = new Map<string, string>();
  const behind: { name: string; commit: string }[] = [];
  for (const [i, [name, commit]] of [...recorded].entries()) {
    const st = standings[i]!;
    if (st.kind === 'behind') behind.push({ name, commit: st.commit });
    if (st.kind === 'untrusted') {
      untrusted.set(name, st.commit);
      say(
        ctx,
        `warning: ${name}: its recorded deployed commit ${st.commit.slice(0, 12)} is not on the default branch's history; treated as unknown`,
        'warning',
      );
    }
    deployed.set(name, st.kind === 'none' || st.kind === 'untrusted' ? undefined : commit);
  }
  if (behind.length > 0) throw backwardsRefusal(head, behind);
  return { deployed, untrusted };
}

/**
 * The rules of stacks with no trusted deploy record: their identity at head's first parent (the
 * default branch before the last merge), or the identities they replace there. A first commit
 * has no parent: its stacks are new.
 */
async function baseAtFirstParent(ctx: ActionContext, head: string, stacks: AffectedStack[], stacksDir: string): Promise<BaseDefinitions> {
  const [parent] = (await ctx.git.inspect([`${head}^1`])).commits;
  if (stacks.length === 0 || parent === undefined) return new Map(stacks.map((s) => [s.name, null]));
  const changes = await ctx.git.changedFiles(parent, head);
  const affected: AffectedResult = { base: parent, head, mergeBase: parent, changes, stacks, warnings: [] };
  return readBaseDefinitions(ctx.git, affected, ctx.catalog, stacksDir);
}

/**
 * `deploy --since-deployed`: for each stack, the changes from its last deployed commit to `head`
 * (a full sha), instead of from the CI's before-SHA, so a cancelled or skipped pipeline never
 * drops a change. Stacks with the same deployed commit share one affected computation; their
 * rules are those of their identity at that commit. Forward only: a stack whose deployed commit
 * head does not contain refuses the whole deploy (exit 2). A stack never deployed, or whose
 * recorded commit is not on the default branch's history (not trusted), is deployed in full
 * under the rules of the base: its identity at head's first parent, or the identities it
 * replaces there. A deleted stack is destroyed only while its deploy record says it still runs.
 * Approvals: the merges after each stack's deployed commit that changed it.
 */
export async function sinceDeployedScope(ctx: ActionContext, engine: Engine, head: string): Promise<SinceDeployedScope> {
  const { deployed, untrusted } = await trustedDeployedCommits(ctx, engine, head);
  const stacksDir = relativeDir(ctx.layout, ctx.layout.stacksDir);
  const groups = stacksByDeployedCommit(deployed);
  const stacks = new Map<string, AffectedStack>();
  const destroys = new Map<string, AffectedStack>();
  const base = new Map<string, PreviousDefinition | null>();
  const full = new Map<string, string | undefined>();
  const changes = new Map<string, AffectedResult['changes'][number]>();
  const ranges: { from: string; names: readonly string[]; commits: string[] }[] = [];
  const warnings: string[] = [];
  let graph: ChangeScope | undefined;
  for (const [commit, names] of groups) {
    let scope: ChangeScope;
    try {
      scope = await affectedStacks(ctx, { base: commit, head });
    } catch (err) {
      const code = asGitopsError(err).code;
      // The base here is the deploy record's commit, not a ref the user gave: one that does not
      // resolve (USAGE for a user's --base) is a commit missing from this clone.
      if (code === 'HISTORY_MISSING' || code === 'GIT_ERROR' || code === 'USAGE') throw missingCommit(commit, names, err);
      throw err;
    }
    graph ??= scope;
    const { affected } = scope;
    const from = affected.base!;
    for (const n of names) full.set(n, from);
    const mine = affected.stacks.filter((s) => s.action === 'update' && names.includes(s.name));
    for (const s of affected.stacks) if (s.action === 'destroy' && !destroys.has(s.name)) destroys.set(s.name, s);
    for (const c of affected.changes) changes.set(`${c.oldPath ?? ''}\0${c.path}`, c);
    warnings.push(...affected.warnings);
    const read = await readBaseDefinitions(ctx.git, { ...affected, stacks: mine }, ctx.catalog, stacksDir);
    for (const s of mine) {
      stacks.set(s.name, s);
      if (read.has(s.name)) base.set(s.name, read.get(s.name)!);
    }
    ranges.push({ from: affected.mergeBase ?? from, names, commits: [] });
  }
  graph ??= await affectedStacks({ ...ctx, sink: () => undefined }, { base: head, head });
  const unknown: AffectedStack[] = [...deployed].flatMap(([name, commit]) => {
    if (commit !== undefined) return [];
    const recorded = untrusted.get(name);
    return [{ name, action: 'update' as const, reasons: [{ kind: 'undeployed' as const, ...(recorded ? { commit: recorded } : {}) }] }];
  });
  const parentRules = await baseAtFirstParent(ctx, head, unknown, stacksDir);
  for (const s of unknown) {
    stacks.set(s.name, s);
    if (parentRules.has(s.name)) base.set(s.name, parentRules.get(s.name)!);
  }
  // A deleted stack is destroyed only while something of it runs: an earlier deploy may have destroyed it already.
  const stillDeployed = await mapLimit([...destroys.values()], ctx.concurrency, async (s) =>
    s.previous?.definition ? (await engine.lastDeployedCommit(s.previous.definition)) !== undefined : true,
  );
  for (const [i, s] of [...destroys.values()].entries()) if (stillDeployed[i]) stacks.set(s.name, s);
  // Deleted before every window (its destroy refused or never tried then): found in the history.
  const older = await deletedStacksStillDeployed(ctx, engine, new Set(destroys.keys()));
  for (const d of older) {
    const previous = { file: d.definition.file, definition: d.definition, problems: [] };
    stacks.set(d.name, { name: d.name, action: 'destroy', reasons: [{ kind: 'deleted', path: d.definition.file }], previous });
  }
  const affected: AffectedResult = {
    base: null,
    head,
    mergeBase: null,
    changes: [...changes.values()],
    stacks: [...stacks.values()].sort((a, b) => a.name.localeCompare(b.name)),
    warnings: [...new Set(warnings)],
  };
  for (const r of ranges) r.commits = await ctx.git.firstParentCommits(r.from, head);
  const never = [...deployed].flatMap(([n, c]) => (c === undefined ? [n] : []));
  const merged = await mergeLandings(ctx, ranges, [...destroys.keys(), ...never]);
  // The merge that deleted an older stack answers for its destroy; the head still answers for the rest.
  const olderNames = new Set(older.map((d) => d.name));
  const landings =
    older.length === 0
      ? merged
      : [
          ...older.map((d) => ({ commit: d.deletedAt, stacks: new Set([d.name]) })),
          ...(merged ?? [{ commit: head, stacks: new Set(affected.stacks.flatMap((s) => (olderNames.has(s.name) ? [] : [s.name]))) }]),
        ];
  return {
    affected,
    nodes: graph.nodes,
    catalog: graph.catalog,
    deployed: new Map([...deployed].map(([n, c]) => [n, c === undefined ? undefined : (full.get(n) ?? c)])),
    base,
    landings,
  };
}

/**
 * One landing list for all stacks: each first-parent commit once, in order, naming only the
 * stacks it changed after their own deployed commit (an older merge was checked when that stack
 * last deployed). Deleted and never deployed stacks (`always`) answer to every merge in the
 * window that changed them.
 */
async function mergeLandings(
  ctx: ActionContext,
  ranges: readonly { from: string; names: readonly string[]; commits: string[] }[],
  always: readonly string[],
): Promise<Landing[] | undefined> {
  const cache: LandingCache = new Map();
  const order: string[] = [];
  const byCommit = new Map<string, Set<string>>();
  for (const r of [...ranges].sort((a, b) => b.commits.length - a.commits.length)) {
    const names = new Set([...r.names, ...always]);
    for (const landing of await landingsOf(ctx, r.from, r.commits, cache)) {
      if (!byCommit.has(landing.commit)) {
        order.push(landing.commit);
        byCommit.set(landing.commit, new Set());
      }
      for (const s of landing.stacks) if (names.has(s)) byCommit.get(landing.commit)!.add(s);
    }
  }
  if (order.length === 0) return undefined;
  return order.map((commit) => ({ commit, stacks: byCommit.get(commit)! }));
}

export interface DeploySinceDeployedOptions {
  message?: string;
  /** Told what will be deployed, before anything runs. */
  onScope?: (scope: SinceDeployedScope) => void;
  /** `--plans DIR`: bind each update to its approved merge request preview, stored there. */
  plans?: string;
}

/** What `deploy --since-deployed` did, and what it found to do. */
export interface DeploySinceDeployedResult extends DeployMergedResult {
  scope: SinceDeployedScope;
}

/** `deploy --since-deployed --plan`: what would be deployed, and why, without deploying. */
export async function planSinceDeployed(ctx: ActionContext): Promise<SinceDeployedScope> {
  const head = await ctx.git.revParse('HEAD');
  return sinceDeployedScope(ctx, await ctx.engine(ctx.catalog.stacks), head);
}

/**
 * `gitops deploy --since-deployed`, what the CI templates run on the default branch: deploys, in
 * dependency order, every stack whose inputs changed since its own last deployed commit, with the
 * approvals of each merge that changed it, and destroys stacks whose identity left the catalogue
 * where their last definition allows it. The checked-out commit is deployed and recorded.
 */
export async function deploySinceDeployed(ctx: ActionContext, options: DeploySinceDeployedOptions): Promise<DeploySinceDeployedResult> {
  const head = await ctx.git.revParse('HEAD');
  const opened = await ctx.engine(ctx.catalog.stacks, { writesRecordsIndex: true });
  const engine = options.plans ? await planBoundEngine(ctx, opened, options.plans, head) : opened;
  const scope = await sinceDeployedScope(ctx, engine, head);
  options.onScope?.(scope);
  const run = runContextOf(ctx, engine, { catalog: scope.catalog, message: options.message });
  const forge = await optionalForge(ctx, scope);
  const result = await deployMerged(scope.affected, run, {
    forge,
    allowDestroy: false,
    commit: head,
    pipelineUrl: ctx.ci.pipelineUrl,
    base: scope.base,
    landings: scope.landings,
  });
  // Reports back like deploy --base: a status per stack, a comment on each merge request deployed.
  await reportDeployed(ctx, forge, { results: result.results, commit: head, commits: scope.landings?.map((l) => l.commit) ?? [head] });
  return { ...result, scope };
}
