import type { Forge, ForgeJob } from '../forge/forge.js';
import { type ActionContext, say } from './action-context.js';

/**
 * The pipeline's forge, once its token is known to do what `job` needs: a missing role or
 * permission is refused here, at start, with FORGE_ACCESS (exit 2), instead of stacks refused or
 * a warning at the end. What the check could not prove is said as a warning.
 */
export async function checkedForge(ctx: Pick<ActionContext, 'forge' | 'sink'>, job: ForgeJob): Promise<Forge> {
  const forge = await ctx.forge();
  for (const note of await forge.checkAccess(job)) say(ctx, `warning: ${forge.platform} ${job} job: ${note}`, 'warning');
  return forge;
}
