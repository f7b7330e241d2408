import type { ActionContext } from '../api/action-context.js';
import type { StackStatus, StatusResult } from '../api/status.js';
import { asGitopsError, userError } from '../errors/gitops-error.js';
import { mapLimit } from '../lib/map-limit.js';
import { affectedStacks } from '../merge-request/change-scope.js';
import { deletedStacksStillDeployed } from '../merge-request/deleted-stacks.js';
import { type LandingCache, landingsOf } from '../merge-request/landings.js';
import { stacksByDeployedCommit } from '../merge-request/since-deployed.js';
import { describeReason } from '../report/affected-render.js';
import type { StackDefinition } from '../stacks/schema.js';
import { failedUpdateNote, healthOf, needsPerson } from './stack-health.js';

/** Whether any stack needs a person (`status` then exits 1). */
export function anyNeedsPerson(result: StatusResult): boolean {
  return result.stacks.some((s) => needsPerson.has(s.state));
}

/**
 * `gitops status`: for each stack, the commit it last deployed, the newest commit that changed its
 * inputs, and whether head holds changes not yet deployed. Stacks deployed from the same commit
 * share one affected computation (the same one deploy uses); changes nothing.
 */
export async function deployStatus(ctx: ActionContext): Promise<StatusResult> {
  const head = await ctx.git.revParse('HEAD').catch((err) => {
    throw userError('USAGE', `status needs a git repository: ${asGitopsError(err).message}`);
  });
  const engine = await ctx.engine(ctx.catalog.stacks);
  const records = await engine.deployRecords(ctx.catalog.stacks);
  const deployed = new Map(ctx.catalog.stacks.map((s) => [s.name, (records.get(s.name) as { deployedCommit?: string }).deployedCommit]));
  const out = new Map<string, StackStatus>();
  const base = (name: string) => {
    const def = ctx.catalog.byName.get(name)!;
    return { name, project: def.project, stack: def.stack };
  };
  for (const [name, commit] of deployed) if (commit === undefined) out.set(name, { ...base(name), state: 'never-deployed', reasons: [] });
  const groups = stacksByDeployedCommit(deployed);
  const quiet = { ...ctx, sink: () => undefined };
  const cache: LandingCache = new Map();
  const windows: { from: string; commits: string[] }[] = [];
  const gone = new Map<string, StackDefinition>();
  for (const [commit, names] of groups) {
    let scope: Awaited<ReturnType<typeof affectedStacks>>;
    try {
      scope = await affectedStacks(quiet, { base: commit, head });
    } catch (err) {
      const why = `its deployed commit ${commit} cannot be compared with head: ${asGitopsError(err).message}`;
      for (const n of names) out.set(n, { ...base(n), state: 'unknown', deployed: commit, reasons: [why] });
      continue;
    }
    const { affected } = scope;
    const from = affected.mergeBase ?? affected.base!;
    const commits = await ctx.git.firstParentCommits(from, head);
    windows.push({ from, commits });
    const landings = await landingsOf(ctx, from, commits, cache);
    const ancestor = affected.mergeBase === affected.base;
    for (const name of names) {
      const found = affected.stacks.find((s) => s.name === name && s.action === 'update');
      const touched = landings.filter((l) => l.stacks.has(name)).at(-1)?.commit;
      const reasons = [
        ...(ancestor ? [] : [describeReason({ kind: 'undeployed', commit: affected.base! })]),
        ...(found?.reasons.map(describeReason) ?? []),
      ];
      out.set(name, {
        ...base(name),
        state: reasons.length > 0 ? 'behind' : 'up-to-date',
        deployed: affected.base!,
        headCommit: touched ?? (ancestor ? affected.base! : undefined),
        reasons,
      });
    }
    for (const s of affected.stacks) if (s.action === 'destroy' && s.previous?.definition) gone.set(s.name, s.previous.definition);
  }
  // A never deployed stack's newest change, within the widest window of history read anyway (all end at head).
  const widest = windows.sort((a, b) => b.commits.length - a.commits.length)[0];
  if (widest) {
    const landings = await landingsOf(ctx, widest.from, widest.commits, cache);
    for (const s of out.values())
      if (s.state === 'never-deployed') s.headCommit = landings.filter((l) => l.stacks.has(s.name)).at(-1)?.commit;
  }
  // Deleted before every window too: a destroy refused long ago still shows.
  for (const d of await deletedStacksStillDeployed(ctx, engine, new Set([...gone.keys(), ...out.keys()]))) {
    const reasons = [`its stack file ${d.definition.file} was deleted at ${d.deletedAt.slice(0, 12)}, but the stack was not destroyed`];
    out.set(d.name, {
      name: d.name,
      project: d.definition.project,
      stack: d.definition.stack,
      state: 'deleted',
      deployed: d.deployed,
      reasons,
    });
  }
  const stillDeployed = await mapLimit([...gone.values()], ctx.concurrency, (def) => engine.lastDeployedCommit(def));
  [...gone.entries()].forEach(([name, def], i) => {
    const commit = stillDeployed[i];
    if (commit === undefined) return;
    const reasons = [`its stack file ${def.file} was deleted, but the stack was not destroyed`];
    out.set(name, { name, project: def.project, stack: def.stack, state: 'deleted', deployed: commit, reasons });
  });
  // What the backend says beyond the deployed commit comes first: the deploy state stays in the reasons.
  for (const s of out.values()) {
    const read = records.get(s.name);
    const health = healthOf(s.name, read);
    if (health) Object.assign(s, { state: health.state, reasons: [...health.reasons, ...s.reasons] });
    const failed = failedUpdateNote(read);
    if (!health && failed && s.state !== 'never-deployed') s.reasons.push(failed);
  }
  return { head, stacks: [...out.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}
