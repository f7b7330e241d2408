import type { ActionContext } from '../actions/action-context.js';
import type { DriftOwnership } from '../drift/managed-elsewhere.js';
import type { Engine } from '../engine/engine.js';
import type { StackDefinition } from '../stacks/schema.js';
import { readDefinitionAt, stricterDefinition } from './base-policy.js';

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
    const deployed = await readDefinitionAt(ctx.git, commit, def.name, [def.file]).catch(() => undefined);
    if (!deployed?.definition) return {};
    const { ignoreManagers, ignorePaths } = stricterDefinition(def, deployed.definition).drift;
    return { ignoreManagers, ignorePaths };
  };
}
