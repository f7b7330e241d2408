import type { ActionContext } from '../actions/action-context.js';
import { computeAffected } from '../affected/affected.js';
import type { AffectedResult } from '../affected/model.js';
import { describeReason } from '../affected/render.js';
import type { Engine } from '../engine/engine.js';
import { asGitopsError } from '../errors/gitops-error.js';
import type { StackDefinition } from '../stacks/schema.js';
import type { DeployedCommitOf } from './deployed-ownership.js';

const waiting = 'undeployed change waiting for deploy';

/**
 * Remediation never deploys an undeployed change. Remediation converges a stack on the working
 * tree (Git's head), so it may run only when head holds, for that stack, what deploy last applied.
 *
 * The mechanism: every successful `gitops deploy` records the commit it deployed as the stack tag
 * `gitops:commit` (and in its update message, `gitops deploy of <sha12>`, read for stacks deployed
 * before the tag existed), so the stack names the commit last deployed
 * ({@link Engine.lastDeployedCommit}). The stacks affected between that commit and head
 * are computed exactly as for a merge request (stack file, program, imports, reads, watches, root
 * files, dependencies); if this stack is among them, a change is waiting for deploy (refused for
 * approvals, or not deployed yet) and remediation is blocked. It fails closed: no deploy on record,
 * or a commit that cannot be compared (not in this clone), blocks too. Outside a git repository
 * there is no head to compare and nothing is blocked. One comparison per distinct deployed commit.
 */
export function undeployedChangeCheck(
  ctx: ActionContext,
  deployedOf: DeployedCommitOf = (def, engine) => engine.lastDeployedCommit(def),
): (def: StackDefinition, engine: Engine) => Promise<string | undefined> {
  const head = ctx.git.revParse('HEAD').catch(() => undefined);
  const since = new Map<string, Promise<AffectedResult>>();
  return async (def, engine) => {
    if ((await head) === undefined) return undefined;
    const deployed = await deployedOf(def, engine);
    if (deployed === undefined) {
      return `${waiting}: no gitops deploy of this stack is on record, so Git's head may hold changes never deployed; run gitops deploy first`;
    }
    let affected = since.get(deployed);
    if (!affected) {
      affected = computeAffected({ layout: ctx.layout, catalog: ctx.catalog, git: ctx.git, base: deployed, head: 'HEAD' });
      affected.catch(() => undefined);
      since.set(deployed, affected);
    }
    try {
      // A dependency alone changes nothing in this stack: its inputs come from the deployed state of the other.
      const reason = (await affected).stacks.find((s) => s.name === def.name)?.reasons.find((r) => r.kind !== 'dependency');
      return reason ? `${waiting}: ${describeReason(reason)} since ${deployed.slice(0, 12)}, its last deployed commit` : undefined;
    } catch (err) {
      return `${waiting}: cannot compare its last deployed commit ${deployed} with the head: ${asGitopsError(err).message}`;
    }
  };
}
