import { relativeDir } from '../affected/affected-from-changes.js';
import { stackIdOf } from '../affected/locators.js';
import { stackIdentity } from '../affected/model.js';
import type { ActionContext } from '../api/action-context.js';
import type { Engine } from '../engine/engine.js';
import { mapLimit } from '../lib/map-limit.js';
import { parseStackFile } from '../stacks/parse.js';
import type { StackDefinition } from '../stacks/schema.js';

/** A stack whose file was deleted, whose identity is in no head stack file, and whose deploy record says it still runs. */
export interface DeletedStack {
  name: string;
  /** Its last definition: the file as it was just before the commit that deleted it. */
  definition: StackDefinition;
  /** The first-parent commit that deleted the file: its merge request answers for the destroy. */
  deletedAt: string;
  /** The commit its deploy record names. */
  deployed: string;
}

/**
 * Deleted stacks that still run, over the whole first-parent history, so that a destroy refused
 * or never attempted is neither forgotten nor invisible. The newest deletion of each name and
 * identity counts; a name back in the catalogue, an identity still in it (a rename), a last
 * definition that cannot be read, and `skip` are passed over. One git log, one read per
 * candidate, one deploy record per identity.
 */
export async function deletedStacksStillDeployed(ctx: ActionContext, engine: Engine, skip: ReadonlySet<string>): Promise<DeletedStack[]> {
  const dir = relativeDir(ctx.layout, ctx.layout.stacksDir);
  const identities = new Set(ctx.catalog.stacks.map(stackIdentity));
  const names = new Set<string>();
  const candidates: Omit<DeletedStack, 'deployed'>[] = [];
  for (const removed of await ctx.git.removedFiles(dir)) {
    const name = stackIdOf(removed.path, dir);
    if (name === undefined || names.has(name) || ctx.catalog.byName.has(name) || skip.has(name)) continue;
    names.add(name);
    const text = await ctx.git.show(`${removed.commit}^`, removed.path);
    const definition = text === undefined ? undefined : parseStackFile(removed.path, name, text).definition;
    if (!definition || identities.has(stackIdentity(definition))) continue;
    identities.add(stackIdentity(definition));
    candidates.push({ name, definition, deletedAt: removed.commit });
  }
  const deployed = await mapLimit(candidates, ctx.concurrency, (c) => engine.lastDeployedCommit(c.definition));
  return candidates.flatMap((c, i) => (deployed[i] === undefined ? [] : [{ ...c, deployed: deployed[i]! }]));
}
