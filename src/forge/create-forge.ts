import type { ForgeContext } from './context.js';
import type { Forge, ForgeOptions } from './forge.js';
import { GithubForge } from './github.js';
import { GitlabForge } from './gitlab.js';

/** The forge for a context (from {@link forgeContextFromEnv} or built by hand, e.g. in tests). */
export function createForge(ctx: ForgeContext, options: ForgeOptions = {}): Forge {
  return ctx.platform === 'gitlab' ? new GitlabForge(ctx, options) : new GithubForge(ctx, options);
}
