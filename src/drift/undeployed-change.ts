import { computeAffected } from '../affected/affected.js';
import { shownFiles, uncommittedFiles } from '../affected/checkout-guard.js';
import type { AffectedResult } from '../affected/model.js';
import type { ActionContext } from '../api/action-context.js';
import type { Engine } from '../engine/engine.js';
import { asGitopsError } from '../errors/gitops-error.js';
import { deployedStanding, type StandingOf } from '../merge-request/deployed-standing.js';
import { describeReason } from '../report/affected-render.js';
import type { StackDefinition } from '../stacks/schema.js';
import type { DeployedCommitOf } from './deployed-ownership.js';

const waiting = 'undeployed change waiting for deploy';

/**
 * Remediation never deploys an undeployed change, and never moves a stack backwards. Remediation
 * converges a stack on the working tree, so it may run only when the working tree holds, for that
 * stack, what deploy last applied.
 *
 * The mechanism: every successful `gitops deploy` records the commit it deployed as the stack tag
 * `gitops:commit` (and in its update message, `gitops deploy of <sha12>`, read for stacks deployed
 * before the tag existed), so the stack names the commit last deployed
 * ({@link Engine.lastDeployedCommit}). Remediation is blocked when the working tree has
 * uncommitted changes or untracked files a run would read; when that commit is not on the default
 * branch's history (what runs is unknown); when it is not the checked-out commit or an ancestor of
 * it (an older checkout, a retried old job: remediating would roll the stack back); and when this
 * stack is among those affected between that commit and head, computed exactly as for a merge
 * request (stack file, program, imports, reads, watches, root files, dependencies): a change is
 * waiting for deploy. It fails closed: no deploy on record, or a commit that cannot be compared
 * (not in this clone), blocks too. Outside a git repository there is no head to compare and
 * nothing is blocked. One comparison per distinct deployed commit.
 */
export function undeployedChangeCheck(
  ctx: ActionContext,
  deployedOf: DeployedCommitOf = (def, engine) => engine.lastDeployedCommit(def),
): (def: StackDefinition, engine: Engine) => Promise<string | undefined> {
  const head = ctx.git.revParse('HEAD').catch(() => undefined);
  const dirty = head.then((h) => (h === undefined ? undefined : uncommittedFiles(ctx)));
  dirty.catch(() => undefined);
  let standingOf: StandingOf | undefined;
  const since = new Map<string, Promise<AffectedResult>>();
  return async (def, engine) => {
    const checkedOut = await head;
    if (checkedOut === undefined) return undefined;
    const files = await dirty;
    const unclean = [...(files?.tracked ?? []), ...(files?.untracked ?? [])];
    if (unclean.length > 0)
      return `remediation refused: the working tree has uncommitted or untracked files (${shownFiles(unclean)}); remediation converges on the checked-out commit, so it runs only from a clean checkout`;
    const recorded = await deployedOf(def, engine);
    if (recorded === undefined) {
      return `${waiting}: no gitops deploy of this stack is on record, so Git's head may hold changes never deployed; run gitops deploy first`;
    }
    standingOf ??= deployedStanding(ctx.git, ctx.ci.defaultBranch, checkedOut);
    const standing = await standingOf(recorded);
    if (standing.kind === 'untrusted')
      return `${waiting}: its recorded deployed commit ${standing.commit.slice(0, 12)} is not on the default branch's history, so what runs is unknown; run gitops deploy first`;
    if (standing.kind === 'behind')
      return `remediation refused: the checked-out commit ${checkedOut.slice(0, 12)} is not the deployed commit ${standing.commit.slice(0, 12)} or a descendant of it, so remediating would roll the stack back; run drift on the default branch's newest commit`;
    const deployed = standing.kind === 'forward' ? standing.commit : recorded;
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
