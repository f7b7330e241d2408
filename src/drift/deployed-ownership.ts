import { relativeDir } from '../affected/affected-from-changes.js';
import type { ActionContext } from '../api/action-context.js';
import type { Engine } from '../engine/engine.js';
import { definitionByIdentity, identityIndexAt } from '../merge-request/identity-index.js';
import { stricterDefinition } from '../merge-request/stricter-definition.js';
import type { StackDefinition } from '../stacks/schema.js';
import type { DriftOwnership } from './managed-elsewhere.js';

/** A stack's last deployed commit (`Engine.lastDeployedCommit`), read once per stack in a run. */
export type DeployedCommitOf = (def: StackDefinition, engine: Engine) => Promise<string | undefined>;

/** One read of each stack's deploy record per run, shared by the checks that need it. */
export function deployedCommitOnce(): DeployedCommitOf {
  const seen = new Map<string, Promise<string | undefined>>();
  return (def, engine) => {
    let commit = seen.get(def.name);
    if (!commit) {
      commit = engine.lastDeployedCommit(def);
      seen.set(def.name, commit);
    }
    return commit;
  };
}

/**
 * The `drift.ignoreManagers`/`ignorePaths` rules in force for a drift run: the head's, narrowed
 * to the entries the stack's last deployed definition holds too (as {@link stricterDefinition}
 * does for deploys). An ignore entry a merged MR added hides drift from the report; until a deploy
 * has applied that MR (with its approvals), the field is still drift. Fails closed: a deployed
 * definition that cannot be read, or no deploy on record, ignores nothing. Outside a git
 * repository there is no history to compare, and the head's rules stand. Stacks without ignore
 * rules cost nothing.
 */
export function deployedOwnership(
  ctx: ActionContext,
  deployedOf: DeployedCommitOf,
): (def: StackDefinition, engine: Engine) => Promise<DriftOwnership> {
  const head = ctx.git.revParse('HEAD').catch(() => undefined);
  return async (def, engine) => {
    if (!def.drift.ignoreManagers?.length && !def.drift.ignorePaths?.length) return def.drift;
    if ((await head) === undefined) return def.drift;
    const commit = await deployedOf(def, engine);
    if (commit === undefined) return {};
    const deployed = await definitionAtCommit(ctx, commit, def).catch(() => undefined);
    if (!deployed) return {};
    const { ignoreManagers, ignorePaths } = stricterDefinition(def, deployed).drift;
    return { ignoreManagers, ignorePaths };
  };
}

/**
 * A head stack's definition at a commit, by its identity (whichever file held it there, or the
 * identities it replaces); undefined when the commit holds none or it cannot be read.
 */
async function definitionAtCommit(ctx: ActionContext, commit: string, def: StackDefinition): Promise<StackDefinition | undefined> {
  const changes = await ctx.git.changedFiles(commit, 'HEAD');
  const index = await identityIndexAt(ctx.git, commit, ctx.catalog, relativeDir(ctx.layout, ctx.layout.stacksDir), changes);
  const found = definitionByIdentity(index, def);
  return found === undefined ? def : (found?.definition ?? undefined);
}
