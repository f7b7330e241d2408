import type { Stack } from '@pulumi/pulumi/automation/index.js';
import { deployedCommitTag, noCommitTag } from '../backend-state/deployed-commit.js';
import type { StackDefinition } from '../stacks/schema.js';
import type { ProgressSink } from './progress.js';

/**
 * Sets the stack's `gitops:commit` tag, or with no commit, sets it to {@link noCommitTag}: a
 * DIY backend never saves an empty tag set (Pulumi 3.248 skips the write), so removing a
 * stack's only tag would leave the destroyed commit on record. The update itself already
 * succeeded and its message names the commit, so a failure here is a warning, not a failed
 * deploy: the stale tag then names an older commit, which only makes later runs redo more.
 */
export async function tagDeployedCommit(def: StackDefinition, stack: Stack, commit: string | undefined, sink: ProgressSink): Promise<void> {
  try {
    if (commit) await stack.setTag(deployedCommitTag, commit);
    else if ((await stack.listTags())[deployedCommitTag] !== undefined) await stack.setTag(deployedCommitTag, noCommitTag);
  } catch (err) {
    const what = commit ? `record ${commit.slice(0, 12)} as deployed` : 'clear its deployed commit';
    sink({
      type: 'log',
      level: 'warning',
      message: `[${def.name}] could not ${what} in the stack tag ${deployedCommitTag}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    });
  }
}
